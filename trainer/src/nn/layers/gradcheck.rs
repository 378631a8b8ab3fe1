//! Central-difference gradient checks shared by the layer, activation and
//! loss tests (f64, step 1e-6).

use crate::nn::layer::{Layer, Mode};
use ndarray::{ArrayD, Axis};

const STEP: f64 = 1e-6;

/// Returns `df/dx` by central differences, `(f(x + h) - f(x - h)) / 2h` per element.
pub(crate) fn numeric_gradient(
    x: &ArrayD<f64>,
    mut f: impl FnMut(&ArrayD<f64>) -> f64,
) -> ArrayD<f64> {
    let mut probe = x.clone();
    let mut grad = ArrayD::zeros(x.raw_dim());
    for i in 0..x.len() {
        let original = probe.as_slice().expect("standard layout")[i];
        probe.as_slice_mut().expect("standard layout")[i] = original + STEP;
        let plus = f(&probe);
        probe.as_slice_mut().expect("standard layout")[i] = original - STEP;
        let minus = f(&probe);
        probe.as_slice_mut().expect("standard layout")[i] = original;
        grad.as_slice_mut().expect("standard layout")[i] = (plus - minus) / (2.0 * STEP);
    }
    grad
}

/// Returns the largest absolute difference between two tensors.
pub(crate) fn max_abs_diff(a: &ArrayD<f64>, b: &ArrayD<f64>) -> f64 {
    assert_eq!(a.shape(), b.shape());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// Deterministic, non-uniform upstream gradient weights for `L = Σ w ⊙ y`.
pub(crate) fn probe_weights(shape: &[usize]) -> ArrayD<f64> {
    let mut i = 0.0f64;
    ArrayD::from_shape_simple_fn(shape, || {
        i += 1.0;
        (1.3 * i).sin() + 0.2
    })
}

/// Checks the input gradient and every parameter gradient of `layer` at `x`
/// against central differences of `L = Σ w ⊙ layer(x)`, within `tolerance`
/// (absolute).
pub(crate) fn check_layer(layer: &mut dyn Layer<f64>, x: &ArrayD<f64>, tolerance: f64) {
    let out = layer.forward(x, Mode::Train);
    let w = probe_weights(out.shape());
    let grad_x = layer.backward(&w);
    let param_grads: Vec<(&'static str, ArrayD<f64>)> = layer
        .params_mut()
        .into_iter()
        .map(|p| (p.name, p.grad.clone()))
        .collect();

    let numeric_x = numeric_gradient(x, |xx| (&layer.forward(xx, Mode::Train) * &w).sum());
    let err = max_abs_diff(&grad_x, &numeric_x);
    assert!(err < tolerance, "input gradient: max abs error {err}");

    for (index, (name, analytic)) in param_grads.iter().enumerate() {
        let value = layer.params_mut()[index].value.clone();
        let numeric = numeric_gradient(&value, |v| {
            layer.params_mut()[index].value.assign(v);
            (&layer.forward(x, Mode::Train) * &w).sum()
        });
        layer.params_mut()[index].value.assign(&value);
        let err = max_abs_diff(analytic, &numeric);
        assert!(err < tolerance, "gradient of {name}: max abs error {err}");
    }
}

/// Checks a recurrent layer on a batch cut into several blocks that walk
/// the time loop on different threads (a 2-thread pool, 20 rows): each
/// output row equals the output for that sample alone, and the gradients
/// match central differences within `tolerance`.
pub(crate) fn check_batch_split(layer: &mut dyn Layer<f64>, x: &ArrayD<f64>, tolerance: f64) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("thread pool");
    pool.install(|| {
        let batch = x.shape()[0];
        assert!(crate::nn::layers::recurrent::batch_block(batch) < batch);
        let out = layer.forward(x, Mode::Infer);
        for (b, sample) in x.axis_chunks_iter(Axis(0), 1).enumerate() {
            let alone = layer.forward(&sample.to_owned(), Mode::Infer);
            let err = max_abs_diff(&out.slice_axis(Axis(0), (b..=b).into()).to_owned(), &alone);
            assert!(err < 1e-12, "row {b}: max abs difference {err}");
        }
        check_layer(layer, x, tolerance);
    });
}
