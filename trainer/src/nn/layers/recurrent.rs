//! What `SimpleRNN` and `LSTM` share: their config and the conversion between
//! Keras' batch-major `[batch, time, features]` tensors and the time-major
//! layout the time loop walks.

use crate::error::{Result, TrainerError};
use crate::float::Float;
use ndarray::{ArrayD, Axis, IxDyn};
use serde::{Deserialize, Serialize};

/// Configuration of a recurrent layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecurrentConfig {
    /// Size of the hidden state.
    pub units: usize,
    /// Whether to return the hidden state of every step (`[batch, time, units]`)
    /// or only the last one (`[batch, units]`).
    pub return_sequences: bool,
}

impl RecurrentConfig {
    /// Returns a config with `units` hidden units returning the last state only.
    pub fn new(units: usize) -> Self {
        Self {
            units,
            return_sequences: false,
        }
    }

    /// Sets whether every step's state is returned.
    pub fn with_return_sequences(mut self, return_sequences: bool) -> Self {
        self.return_sequences = return_sequences;
        self
    }

    /// Checks the config.
    ///
    /// # Errors
    /// Returns [`TrainerError::InvalidConfig`] when `units` is zero.
    pub fn validate(&self) -> Result<()> {
        if self.units == 0 {
            return Err(TrainerError::InvalidConfig(
                "recurrent units must be positive".into(),
            ));
        }
        Ok(())
    }

    /// Returns the output shape for a per-sample `[time, features]` input.
    pub fn output_shape(&self, input_shape: &[usize]) -> Vec<usize> {
        if self.return_sequences {
            vec![input_shape[0], self.units]
        } else {
            vec![self.units]
        }
    }
}

/// Swaps the batch and time axes of a rank-3 tensor into a standard-layout copy.
pub(crate) fn swap_batch_time<F: Float>(x: &ArrayD<F>) -> ArrayD<F> {
    let mut v = x.view();
    v.swap_axes(0, 1);
    v.as_standard_layout().into_owned()
}

/// Returns the gradient of every step's state, time-major `[time, batch, units]`,
/// from the gradient of the layer's output.
pub(crate) fn state_gradients<F: Float>(
    grad_output: &ArrayD<F>,
    return_sequences: bool,
    time: usize,
    batch: usize,
    units: usize,
) -> ArrayD<F> {
    if return_sequences {
        swap_batch_time(grad_output)
    } else {
        let mut g = ArrayD::zeros(IxDyn(&[time, batch, units]));
        g.index_axis_mut(Axis(0), time - 1).assign(grad_output);
        g
    }
}
