//! `MaxPooling2D` and `AveragePooling2D` on channels-last images (Keras
//! `layers.MaxPooling2D` / `layers.AveragePooling2D`). Average pooling with
//! `same` padding divides by the number of in-bounds values, as TensorFlow does.

use crate::error::{Result, TrainerError};
use crate::float::Float;
use crate::nn::layer::{Layer, LayerSpec, Mode};
use crate::nn::layers::conv2d::{axis_geometry, Padding};
use crate::nn::layers::standard;
use ndarray::{ArrayD, IxDyn};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Configuration of a pooling layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pooling2DConfig {
    /// Window height and width.
    pub pool_size: [usize; 2],
    /// Step between windows; `None` means the pool size (Keras' default).
    pub strides: Option<[usize; 2]>,
    /// Border handling.
    pub padding: Padding,
}

impl Pooling2DConfig {
    /// Returns a config with square `pool_size`² windows, strides equal to
    /// the window and `valid` padding.
    pub fn new(pool_size: usize) -> Self {
        Self {
            pool_size: [pool_size, pool_size],
            strides: None,
            padding: Padding::Valid,
        }
    }

    /// Sets the same stride in both directions.
    pub fn with_strides(mut self, stride: usize) -> Self {
        self.strides = Some([stride, stride]);
        self
    }

    /// Sets the padding.
    pub fn with_padding(mut self, padding: Padding) -> Self {
        self.padding = padding;
        self
    }

    /// Checks the config.
    ///
    /// # Errors
    /// Returns [`TrainerError::InvalidConfig`] when a size or stride is zero.
    pub fn validate(&self) -> Result<()> {
        if self.pool_size.contains(&0) || self.strides.is_some_and(|s| s.contains(&0)) {
            return Err(TrainerError::InvalidConfig(format!(
                "pool_size and strides must be positive, got {self:?}"
            )));
        }
        Ok(())
    }
}

/// Which reduction a [`Pooling2D`] layer applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolingKind {
    /// Maximum of the window.
    Max,
    /// Mean of the in-bounds values of the window.
    Average,
}

/// A pooling layer; the gradient of max pooling goes to the first maximum.
pub struct Pooling2D {
    kind: PoolingKind,
    config: Pooling2DConfig,
    /// Input height, width, channels; output height, width.
    dims: [usize; 5],
    /// Pool size, strides, leading padding (rows, columns).
    window: [usize; 6],
    /// For max pooling: per output value, the flat index of its maximum in the image.
    argmax: Vec<usize>,
    batch: usize,
}

impl Pooling2D {
    /// Builds the layer for `[height, width, channels]` inputs.
    ///
    /// # Errors
    /// Returns [`TrainerError::InvalidConfig`] for a bad config and
    /// [`TrainerError::Shape`] when a `valid` window does not fit the input.
    pub fn new(kind: PoolingKind, config: &Pooling2DConfig, input_shape: &[usize]) -> Result<Self> {
        config.validate()?;
        let [ph, pw] = config.pool_size;
        let [sh, sw] = config.strides.unwrap_or(config.pool_size);
        let rows = axis_geometry(input_shape[0], ph, sh, config.padding)?;
        let cols = axis_geometry(input_shape[1], pw, sw, config.padding)?;
        Ok(Self {
            kind,
            config: config.clone(),
            dims: [
                input_shape[0],
                input_shape[1],
                input_shape[2],
                rows.out,
                cols.out,
            ],
            window: [ph, pw, sh, sw, rows.pad_before, cols.pad_before],
            argmax: Vec::new(),
            batch: 0,
        })
    }

    /// Returns the in-bounds input rows and columns of output `(oy, ox)`.
    fn span(&self, oy: usize, ox: usize) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
        let [h, w, ..] = self.dims;
        let [ph, pw, sh, sw, pt, pl] = self.window;
        let y0 = (oy * sh).saturating_sub(pt);
        let y1 = (oy * sh + ph).saturating_sub(pt).min(h);
        let x0 = (ox * sw).saturating_sub(pl);
        let x1 = (ox * sw + pw).saturating_sub(pl).min(w);
        (y0..y1, x0..x1)
    }
}

impl<F: Float> Layer<F> for Pooling2D {
    fn spec(&self) -> LayerSpec {
        match self.kind {
            PoolingKind::Max => LayerSpec::MaxPooling2D(self.config.clone()),
            PoolingKind::Average => LayerSpec::AveragePooling2D(self.config.clone()),
        }
    }

    /// # Shapes
    /// `[batch, height, width, channels]` → `[batch, out_height, out_width, channels]`.
    fn forward(&mut self, input: &ArrayD<F>, _mode: Mode) -> ArrayD<F> {
        let [h, w, c, oh, ow] = self.dims;
        let input = standard(input);
        let batch = input.shape()[0];
        let mut out = ArrayD::zeros(IxDyn(&[batch, oh, ow, c]));
        let mut argmax = vec![0usize; batch * oh * ow * c];
        let this = &*self;
        out.as_slice_mut()
            .expect("standard layout")
            .par_chunks_mut(oh * ow * c)
            .zip(argmax.par_chunks_mut(oh * ow * c))
            .zip(
                input
                    .as_slice()
                    .expect("standard layout")
                    .par_chunks(h * w * c),
            )
            .for_each(|((dst, arg), image)| {
                for oy in 0..oh {
                    for ox in 0..ow {
                        let (ys, xs) = this.span(oy, ox);
                        let count = F::constant((ys.len() * xs.len()) as f64);
                        for ch in 0..c {
                            let o = (oy * ow + ox) * c + ch;
                            let mut best = F::neg_infinity();
                            let mut best_index = 0;
                            let mut sum = F::zero();
                            for iy in ys.clone() {
                                for ix in xs.clone() {
                                    let index = (iy * w + ix) * c + ch;
                                    let v = image[index];
                                    sum += v;
                                    if v > best {
                                        best = v;
                                        best_index = index;
                                    }
                                }
                            }
                            match this.kind {
                                PoolingKind::Max => {
                                    dst[o] = best;
                                    arg[o] = best_index;
                                }
                                PoolingKind::Average => dst[o] = sum / count,
                            }
                        }
                    }
                }
            });
        self.argmax = argmax;
        self.batch = batch;
        out
    }

    fn backward(&mut self, grad_output: &ArrayD<F>) -> ArrayD<F> {
        let [h, w, c, oh, ow] = self.dims;
        let grad = standard(grad_output);
        let mut grad_input = ArrayD::zeros(IxDyn(&[self.batch, h, w, c]));
        let this = &*self;
        grad_input
            .as_slice_mut()
            .expect("standard layout")
            .par_chunks_mut(h * w * c)
            .zip(
                grad.as_slice()
                    .expect("standard layout")
                    .par_chunks(oh * ow * c),
            )
            .zip(this.argmax.par_chunks(oh * ow * c))
            .for_each(|((image, g), arg)| {
                for oy in 0..oh {
                    for ox in 0..ow {
                        let (ys, xs) = this.span(oy, ox);
                        let count = F::constant((ys.len() * xs.len()) as f64);
                        for ch in 0..c {
                            let o = (oy * ow + ox) * c + ch;
                            match this.kind {
                                PoolingKind::Max => image[arg[o]] += g[o],
                                PoolingKind::Average => {
                                    for iy in ys.clone() {
                                        for ix in xs.clone() {
                                            image[(iy * w + ix) * c + ch] += g[o] / count;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            });
        grad_input
    }

    fn output_shape(&self, _input_shape: &[usize]) -> Vec<usize> {
        vec![self.dims[3], self.dims[4], self.dims[2]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::layers::gradcheck::{check_layer, probe_weights};

    #[test]
    fn pooling_gradients_match_central_differences() {
        // probe_weights has distinct values, so each window has a unique maximum.
        for kind in [PoolingKind::Max, PoolingKind::Average] {
            for (config, size) in [
                (Pooling2DConfig::new(2), 4),
                (Pooling2DConfig::new(2).with_padding(Padding::Same), 5),
                (Pooling2DConfig::new(3).with_strides(2), 7),
            ] {
                let mut layer = Pooling2D::new(kind, &config, &[size, size, 2]).unwrap();
                check_layer(&mut layer, &probe_weights(&[2, size, size, 2]), 1e-8);
            }
        }
    }

    #[test]
    fn pooling_reduces_each_window() {
        let x = ArrayD::from_shape_vec(IxDyn(&[1, 2, 2, 1]), vec![1.0, 4.0, 2.0, 3.0]).unwrap();
        let config = Pooling2DConfig::new(2);
        let mut max = Pooling2D::new(PoolingKind::Max, &config, &[2, 2, 1]).unwrap();
        let mut avg = Pooling2D::new(PoolingKind::Average, &config, &[2, 2, 1]).unwrap();
        assert_eq!(
            Layer::<f64>::forward(&mut max, &x, Mode::Infer)
                .as_slice()
                .unwrap(),
            &[4.0]
        );
        assert_eq!(
            Layer::<f64>::forward(&mut avg, &x, Mode::Infer)
                .as_slice()
                .unwrap(),
            &[2.5]
        );
        assert!(Pooling2DConfig::new(0).validate().is_err());
    }
}
