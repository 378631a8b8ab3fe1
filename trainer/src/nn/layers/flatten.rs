//! `Flatten`: reshapes each sample to one axis in row-major (NHWC) order,
//! index = (h·W + w)·C + c as in Keras.

use crate::float::Float;
use crate::nn::layer::{Layer, LayerSpec, Mode};
use crate::nn::layers::standard;
use ndarray::{ArrayD, IxDyn};

/// A parameter-free layer that flattens all axes but the batch axis.
#[derive(Default)]
pub struct Flatten {
    input_shape: Option<Vec<usize>>,
}

impl Flatten {
    /// Creates the layer.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<F: Float> Layer<F> for Flatten {
    fn spec(&self) -> LayerSpec {
        LayerSpec::Flatten
    }

    /// # Shapes
    /// `[batch, d1, ..., dk]` → `[batch, d1·...·dk]`.
    fn forward(&mut self, input: &ArrayD<F>, _mode: Mode) -> ArrayD<F> {
        let batch = input.shape()[0];
        self.input_shape = Some(input.shape().to_vec());
        let features = input.len() / batch.max(1);
        standard(input)
            .into_shape_with_order(IxDyn(&[batch, features]))
            .expect("standard layout reshapes")
    }

    fn backward(&mut self, grad_output: &ArrayD<F>) -> ArrayD<F> {
        let shape = self
            .input_shape
            .as_ref()
            .expect("backward called before forward");
        standard(grad_output)
            .into_shape_with_order(IxDyn(shape))
            .expect("gradient has the output's size")
    }

    fn output_shape(&self, input_shape: &[usize]) -> Vec<usize> {
        vec![input_shape.iter().product()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::layers::gradcheck::{check_layer, probe_weights};

    #[test]
    fn flatten_keeps_nhwc_order_and_passes_gradients_back() {
        let x =
            ArrayD::from_shape_vec(IxDyn(&[1, 2, 2, 2]), (0..8).map(f64::from).collect()).unwrap();
        let y = Layer::<f64>::forward(&mut Flatten::new(), &x, Mode::Infer);
        assert_eq!(
            y.as_slice().unwrap(),
            &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
        );
        check_layer(&mut Flatten::new(), &probe_weights(&[2, 3, 2, 2]), 1e-8);
        assert_eq!(
            Layer::<f64>::output_shape(&Flatten::new(), &[7, 7, 8]),
            vec![392]
        );
    }
}
