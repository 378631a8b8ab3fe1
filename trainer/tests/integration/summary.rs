//! `summary()` of the CNN against the table Keras prints for it
//! (`shared/bench/trainer/keras_bench.py` asserts the same counts on Keras).

use ferroflow_trainer::nn::layers::{Conv2DConfig, DenseConfig, Padding};
use ferroflow_trainer::nn::{Activation, Sequential};
use ferroflow_trainer::Result;

/// Conv2D(16, 3, strides 2, same, relu) → Conv2D(8, 3, strides 2, same, relu)
/// → Flatten → Dense(30, relu) → Dense(20, relu) → Dense(10, softmax).
pub fn seed_cnn() -> Result<Sequential<f32>> {
    let mut model = Sequential::new(&[28, 28, 1]).with_seed(42);
    let conv = |filters| {
        Conv2DConfig::new(filters, 3)
            .with_strides(2)
            .with_padding(Padding::Same)
            .with_activation(Activation::Relu)
    };
    model
        .add(conv(16))?
        .add(conv(8))?
        .add(ferroflow_trainer::nn::LayerSpec::Flatten)?
        .add(DenseConfig::new(30).with_activation(Activation::Relu))?
        .add(DenseConfig::new(20).with_activation(Activation::Relu))?
        .add(DenseConfig::new(10).with_activation(Activation::Softmax))?;
    Ok(model)
}

#[test]
fn seed_cnn_summary_reads_as_keras_prints_it() {
    let summary = seed_cnn().unwrap().summary();
    let rows: Vec<(String, String, usize)> = summary
        .rows
        .iter()
        .map(|r| (r.name.clone(), r.shape_text(), r.params))
        .collect();
    let expected = [
        ("conv2d", "(None, 14, 14, 16)", 160),
        ("conv2d_1", "(None, 7, 7, 8)", 1_160),
        ("flatten", "(None, 392)", 0),
        ("dense", "(None, 30)", 11_790),
        ("dense_1", "(None, 20)", 620),
        ("dense_2", "(None, 10)", 210),
    ];
    assert_eq!(
        rows,
        expected.map(|(n, s, p)| (n.to_owned(), s.to_owned(), p))
    );
    assert_eq!(summary.total_params(), 13_940);
    let text = summary.to_string();
    let expected_text = "\
Model: \"sequential\"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ conv2d (Conv2D)                 │ (None, 14, 14, 16)     │           160 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ conv2d_1 (Conv2D)               │ (None, 7, 7, 8)        │         1,160 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ flatten (Flatten)               │ (None, 392)            │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 30)             │        11,790 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 20)             │           620 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_2 (Dense)                 │ (None, 10)             │           210 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 13,940 (54.45 KB)
 Trainable params: 13,940 (54.45 KB)
 Non-trainable params: 0 (0.00 B)";
    assert_eq!(text, expected_text);
}
