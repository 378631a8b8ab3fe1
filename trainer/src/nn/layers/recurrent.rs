//! What `SimpleRNN` and `LSTM` share: their config, the conversion between
//! Keras' batch-major `[batch, time, features]` tensors and the time-major
//! layout the time loop walks, and the split of the batch across cores.

use crate::error::{Result, TrainerError};
use crate::float::Float;
use ndarray::{ArrayD, ArrayView1, ArrayViewMut1, Axis, Ix3, IxDyn};
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

/// Fewest batch rows worth a parallel task of the time loop.
const MIN_BLOCK_ROWS: usize = 8;

/// Returns how many batch rows each parallel task of the time loop takes.
///
/// The recurrence of one sample never reads another sample's state, so the
/// batch is cut into one block per rayon thread and each block walks all
/// time steps on its own: one task per layer call instead of one split per
/// step. Blocks under [`MIN_BLOCK_ROWS`] rows cost more to schedule than
/// they save, so small batches stay on the calling thread.
pub(crate) fn batch_block(batch: usize) -> usize {
    let threads = rayon::current_num_threads().max(1);
    batch.div_ceil(threads).max(MIN_BLOCK_ROWS)
}

/// Returns one batch row of a time step as a slice.
pub(crate) fn row<'a, F: Float>(r: ArrayView1<'a, F>) -> &'a [F] {
    r.to_slice()
        .expect("the last axis of a standard-layout array is contiguous")
}

/// Returns one batch row of a time step as a mutable slice.
pub(crate) fn row_mut<'a, F: Float>(r: ArrayViewMut1<'a, F>) -> &'a mut [F] {
    r.into_slice()
        .expect("the last axis of a standard-layout array is contiguous")
}

/// Swaps the batch and time axes of a rank-3 tensor into a standard-layout copy.
pub(crate) fn swap_batch_time<F: Float>(x: &ArrayD<F>) -> ArrayD<F> {
    // A static rank-3 view copies several times faster than a dynamic-rank one.
    let mut v = x
        .view()
        .into_dimensionality::<Ix3>()
        .expect("recurrent tensors are rank 3");
    v.swap_axes(0, 1);
    v.as_standard_layout().into_owned().into_dyn()
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
