//! Learning tests on real data: each model is trained as
//! `shared/data/README.md` describes Keras' reference runs (Adam 1e-3,
//! shuffled epochs, batch 32, no early stopping) and must reach Keras' mean
//! test accuracy on the same split within 1.5 points.

use crate::datasets::{breast_cancer, digits, Split};
use ferroflow_trainer::nn::layers::{Conv2DConfig, DenseConfig, DropoutConfig, Padding};
use ferroflow_trainer::nn::optim::Adam;
use ferroflow_trainer::nn::{Activation, FitConfig, LayerSpec, Loss, Metric, Sequential};

/// Trains `model` for `epochs` and returns its test accuracy.
fn train_and_test(mut model: Sequential<f32>, data: &Split, loss: Loss, epochs: usize) -> f64 {
    model
        .compile(Adam::new(1e-3), loss, &[Metric::Accuracy])
        .unwrap();
    let config = FitConfig::new(epochs, 32).with_seed(0);
    let history = model
        .fit(&data.x_train, &data.y_train, &config, &mut [])
        .unwrap();
    let losses = history.get("loss").unwrap();
    assert!(
        losses[epochs - 1] < losses[0],
        "training loss did not fall: {losses:?}"
    );
    model
        .evaluate(&data.x_test, &data.y_test, 128)
        .unwrap()
        .get("accuracy")
        .unwrap()
}

fn assert_within(accuracy: f64, keras: f64, job: &str) {
    eprintln!("{job}: test accuracy {accuracy:.4} (Keras {keras})");
    assert!(
        accuracy >= keras - 0.015,
        "{job}: test accuracy {accuracy:.4}, Keras {keras} - 1.5 points"
    );
}

#[test]
fn digits_mlp_matches_keras_accuracy() {
    let data = digits(false);
    let mut model = Sequential::new(&[64]).with_seed(0);
    model
        .add(DenseConfig::new(64).with_activation(Activation::Relu))
        .unwrap()
        .add(DenseConfig::new(32).with_activation(Activation::Relu))
        .unwrap()
        .add(DenseConfig::new(10).with_activation(Activation::Softmax))
        .unwrap();
    assert_eq!(model.count_params(), 6_570);
    let accuracy = train_and_test(model, &data, Loss::SparseCategoricalCrossentropy, 30);
    assert_within(accuracy, 0.963, "digits MLP");
}

#[test]
fn digits_cnn_matches_keras_accuracy() {
    let data = digits(true);
    let mut model = Sequential::new(&[8, 8, 1]).with_seed(0);
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
    let accuracy = train_and_test(model, &data, Loss::SparseCategoricalCrossentropy, 30);
    assert_within(accuracy, 0.962, "digits CNN");
}

#[test]
fn breast_cancer_dnn_matches_keras_accuracy() {
    let data = breast_cancer();
    let mut model = Sequential::new(&[30]).with_seed(0);
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
    let accuracy = train_and_test(model, &data, Loss::BinaryCrossentropy, 50);
    assert_within(accuracy, 0.974, "breast cancer DNN");
}
