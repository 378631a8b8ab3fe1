//! Learning tests on real data: each model is trained as
//! `shared/data/README.md` describes Keras' reference runs (Adam 1e-3,
//! shuffled epochs, batch 32, no early stopping) with training seeds 0, 1, 2,
//! and the mean test accuracy must reach Keras' mean over its 3 seeds on the
//! same split within 1.5 points.

use crate::datasets::{breast_cancer, digits, Split};
use ferroflow_trainer::nn::layers::{Conv2DConfig, DenseConfig, DropoutConfig, Padding};
use ferroflow_trainer::nn::optim::Adam;
use ferroflow_trainer::nn::{Activation, FitConfig, LayerSpec, Loss, Metric, Sequential};

/// Trains the model `build(seed)` builds for `epochs`, for seeds 0, 1, 2
/// (initialization, dropout and shuffling), and returns the mean test accuracy.
fn mean_test_accuracy(
    build: impl Fn(u64) -> Sequential<f32>,
    data: &Split,
    loss: Loss,
    epochs: usize,
) -> f64 {
    let seeds = [0, 1, 2];
    let mut accuracies = Vec::new();
    for seed in seeds {
        let mut model = build(seed);
        model
            .compile(Adam::new(1e-3), loss, &[Metric::Accuracy])
            .unwrap();
        let config = FitConfig::new(epochs, 32).with_seed(seed);
        let history = model
            .fit(&data.x_train, &data.y_train, &config, &mut [])
            .unwrap();
        let losses = history.get("loss").unwrap();
        assert!(
            losses[epochs - 1] < losses[0],
            "training loss did not fall: {losses:?}"
        );
        accuracies.push(
            model
                .evaluate(&data.x_test, &data.y_test, 128)
                .unwrap()
                .get("accuracy")
                .unwrap(),
        );
    }
    eprintln!("per-seed test accuracies {accuracies:?}");
    accuracies.iter().sum::<f64>() / seeds.len() as f64
}

fn assert_within(accuracy: f64, keras: f64, job: &str) {
    eprintln!("{job}: mean test accuracy {accuracy:.4} (Keras {keras})");
    assert!(
        accuracy >= keras - 0.015,
        "{job}: mean test accuracy {accuracy:.4}, Keras {keras} - 1.5 points"
    );
}

#[test]
fn digits_mlp_matches_keras_accuracy() {
    let data = digits(false);
    let build = |seed: u64| {
        let mut model = Sequential::new(&[64]).with_seed(seed);
        model
            .add(DenseConfig::new(64).with_activation(Activation::Relu))
            .unwrap()
            .add(DenseConfig::new(32).with_activation(Activation::Relu))
            .unwrap()
            .add(DenseConfig::new(10).with_activation(Activation::Softmax))
            .unwrap();
        assert_eq!(model.count_params(), 6_570);
        model
    };
    let accuracy = mean_test_accuracy(build, &data, Loss::SparseCategoricalCrossentropy, 30);
    assert_within(accuracy, 0.963, "digits MLP");
}

#[test]
fn digits_cnn_matches_keras_accuracy() {
    let data = digits(true);
    let build = |seed: u64| {
        let mut model = Sequential::new(&[8, 8, 1]).with_seed(seed);
        let conv = |filters| {
            Conv2DConfig::new(filters, 3)
                .with_padding(Padding::Same)
                .with_activation(Activation::Relu)
        };
        model
            .add(conv(16))
            .unwrap()
            .add(conv(8))
            .unwrap()
            .add(LayerSpec::Flatten)
            .unwrap()
            .add(DenseConfig::new(30).with_activation(Activation::Relu))
            .unwrap()
            .add(DenseConfig::new(20).with_activation(Activation::Relu))
            .unwrap()
            .add(DenseConfig::new(10).with_activation(Activation::Softmax))
            .unwrap();
        assert_eq!(model.count_params(), 17_540);
        model
    };
    let accuracy = mean_test_accuracy(build, &data, Loss::SparseCategoricalCrossentropy, 30);
    assert_within(accuracy, 0.962, "digits CNN");
}

#[test]
fn breast_cancer_dnn_matches_keras_accuracy() {
    let data = breast_cancer();
    let build = |seed: u64| {
        let mut model = Sequential::new(&[30]).with_seed(seed);
        model
            .add(DenseConfig::new(64).with_activation(Activation::Relu))
            .unwrap()
            .add(DropoutConfig::new(0.2))
            .unwrap()
            .add(DenseConfig::new(32).with_activation(Activation::Relu))
            .unwrap()
            .add(DropoutConfig::new(0.2))
            .unwrap()
            .add(DenseConfig::new(1).with_activation(Activation::Sigmoid))
            .unwrap();
        assert_eq!(model.count_params(), 4_097);
        model
    };
    let accuracy = mean_test_accuracy(build, &data, Loss::BinaryCrossentropy, 50);
    assert_within(accuracy, 0.974, "breast cancer DNN");
}
