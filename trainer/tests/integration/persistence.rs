//! Save/load round trips: the loaded model predicts bit-identically.

use crate::summary::seed_cnn;
use ferroflow_trainer::data::SplitMix64;
use ferroflow_trainer::nn::layers::{DenseConfig, DropoutConfig, RecurrentConfig};
use ferroflow_trainer::nn::optim::Adam;
use ferroflow_trainer::nn::{Activation, FitConfig, LayerSpec, Loss, Sequential};
use ndarray::{ArrayD, IxDyn};

fn random(shape: &[usize], seed: u64) -> ArrayD<f32> {
    let mut rng = SplitMix64::new(seed);
    ArrayD::from_shape_simple_fn(IxDyn(shape), || rng.next_f64() as f32)
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ferroflow-trainer-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn trained_cnn_round_trips_bit_identically() {
    let mut model = seed_cnn().unwrap();
    model
        .compile(Adam::default(), Loss::SparseCategoricalCrossentropy, &[])
        .unwrap();
    let x = random(&[64, 28, 28, 1], 1);
    let y = random(&[64], 2).mapv(|v| (v * 10.0).floor());
    model.fit(&x, &y, &FitConfig::new(1, 16), &mut []).unwrap();
    let dir = temp_dir("cnn");
    model.save(&dir).unwrap();
    assert!(dir.join("model.safetensors").is_file() && dir.join("architecture.json").is_file());
    let mut loaded = Sequential::<f32>::load(&dir).unwrap();
    assert_eq!(loaded.layer_names(), model.layer_names());
    assert_eq!(loaded.summary(), model.summary());
    let a = model.predict(&x, 32).unwrap();
    let b = loaded.predict(&x, 32).unwrap();
    assert!(a
        .iter()
        .zip(b.iter())
        .all(|(p, q)| p.to_bits() == q.to_bits()));
    let json = std::fs::read_to_string(dir.join("architecture.json")).unwrap();
    assert!(json.contains("\"class_name\": \"Conv2D\""), "{json}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn recurrent_model_round_trips_and_dtype_mismatch_is_an_error() {
    let mut model = Sequential::<f32>::new(&[5, 2]).with_seed(9);
    model
        .add(LayerSpec::Lstm(
            RecurrentConfig::new(4).with_return_sequences(true),
        ))
        .unwrap()
        .add(LayerSpec::SimpleRnn(RecurrentConfig::new(3)))
        .unwrap()
        .add(DropoutConfig::new(0.5))
        .unwrap()
        .add(DenseConfig::new(1).with_activation(Activation::Linear))
        .unwrap();
    let dir = temp_dir("rnn");
    model.save(&dir).unwrap();
    let mut loaded = Sequential::<f32>::load(&dir).unwrap();
    let x = random(&[6, 5, 2], 3);
    assert_eq!(
        model.predict(&x, 4).unwrap(),
        loaded.predict(&x, 4).unwrap()
    );
    assert!(
        Sequential::<f64>::load(&dir).is_err(),
        "f32 weights do not load as f64"
    );
    assert!(Sequential::<f32>::load(dir.join("missing")).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}
