//! `Conv2D`: 2-D convolution on channels-last images (Keras `layers.Conv2D`),
//! computed as im2col followed by one matrix product; backward is the
//! transposed product followed by col2im.
//!
//! Padding `same` follows TensorFlow: output size ⌈in / stride⌉ and, when the
//! total padding is odd, the extra row/column goes at the bottom/right.

use crate::data::SplitMix64;
use crate::error::{Result, TrainerError};
use crate::float::Float;
use crate::nn::activation::Activation;
use crate::nn::init::glorot_uniform;
use crate::nn::layer::{Layer, LayerSpec, Mode, ParamMut, ParamRef};
use crate::nn::layers::{fill_rows, matrix, matrix_mut, standard};
use crate::nn::linalg::{gemm, gemm_at_b};
use ndarray::{ArrayD, Axis, IxDyn};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// How a convolution or pooling window treats the border.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Padding {
    /// No padding: only windows fully inside the input.
    #[default]
    Valid,
    /// Zero padding so that the output has ⌈input / stride⌉ positions.
    Same,
}

/// Configuration of a [`Conv2D`] layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conv2DConfig {
    /// Number of output channels.
    pub filters: usize,
    /// Window height and width.
    pub kernel_size: [usize; 2],
    /// Vertical and horizontal step between windows.
    pub strides: [usize; 2],
    /// Border handling.
    pub padding: Padding,
    /// Activation applied to the output.
    pub activation: Activation,
}

impl Conv2DConfig {
    /// Returns a config with `filters` square `kernel_size`² kernels, stride 1,
    /// `valid` padding and a linear activation (Keras' defaults).
    pub fn new(filters: usize, kernel_size: usize) -> Self {
        Self {
            filters,
            kernel_size: [kernel_size, kernel_size],
            strides: [1, 1],
            padding: Padding::Valid,
            activation: Activation::Linear,
        }
    }

    /// Sets a non-square window.
    pub fn with_kernel_size(mut self, height: usize, width: usize) -> Self {
        self.kernel_size = [height, width];
        self
    }

    /// Sets the same stride in both directions.
    pub fn with_strides(mut self, stride: usize) -> Self {
        self.strides = [stride, stride];
        self
    }

    /// Sets the padding.
    pub fn with_padding(mut self, padding: Padding) -> Self {
        self.padding = padding;
        self
    }

    /// Sets the activation.
    pub fn with_activation(mut self, activation: Activation) -> Self {
        self.activation = activation;
        self
    }

    /// Checks the config.
    ///
    /// # Errors
    /// Returns [`TrainerError::InvalidConfig`] when a size or stride is zero.
    pub fn validate(&self) -> Result<()> {
        if self.filters == 0 || self.kernel_size.contains(&0) || self.strides.contains(&0) {
            return Err(TrainerError::InvalidConfig(format!(
                "Conv2D filters, kernel_size and strides must be positive, got {self:?}"
            )));
        }
        Ok(())
    }
}

/// Output size and padding of a sliding window along one axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AxisGeometry {
    /// Number of output positions.
    pub out: usize,
    /// Zero rows/columns before the input.
    pub pad_before: usize,
}

/// Returns the output size and leading padding along one axis (TensorFlow rules).
///
/// # Errors
/// Returns [`TrainerError::Shape`] when a `valid` window is larger than the input.
pub(crate) fn axis_geometry(
    input: usize,
    window: usize,
    stride: usize,
    padding: Padding,
) -> Result<AxisGeometry> {
    match padding {
        Padding::Valid => {
            if window > input {
                return Err(TrainerError::Shape(format!(
                    "window {window} is larger than the input size {input} with valid padding"
                )));
            }
            Ok(AxisGeometry {
                out: (input - window) / stride + 1,
                pad_before: 0,
            })
        }
        Padding::Same => {
            let out = input.div_ceil(stride);
            let total = ((out - 1) * stride + window).saturating_sub(input);
            Ok(AxisGeometry {
                out,
                pad_before: total / 2,
            })
        }
    }
}

/// The fixed geometry of a convolution on one input size.
#[derive(Clone, Copy, Debug)]
struct Geometry {
    h: usize,
    w: usize,
    c: usize,
    kh: usize,
    kw: usize,
    sh: usize,
    sw: usize,
    oh: usize,
    ow: usize,
    pad_top: usize,
    pad_left: usize,
}

impl Geometry {
    fn patch_len(&self) -> usize {
        self.kh * self.kw * self.c
    }

    /// Returns the input row for output row `o` and kernel row `k`, if inside.
    #[inline]
    fn input_row(&self, o: usize, k: usize) -> Option<usize> {
        (o * self.sh + k)
            .checked_sub(self.pad_top)
            .filter(|&i| i < self.h)
    }

    /// Returns the kernel columns `kx0..kx1` of output column `ox` that fall
    /// inside the image, and the input column of `kx0`.
    #[inline]
    fn column_run(&self, ox: usize) -> (usize, usize, usize) {
        let start = ox * self.sw;
        let kx0 = self.pad_left.saturating_sub(start);
        let kx1 = self.kw.min((self.w + self.pad_left).saturating_sub(start));
        (
            kx0,
            kx1.max(kx0),
            (start + kx0).saturating_sub(self.pad_left),
        )
    }

    /// Copies every window of one image into the rows of `cols`; each kernel
    /// row is one contiguous run of `kw·c` values in both.
    fn im2col<F: Float>(&self, image: &[F], cols: &mut [F]) {
        let (c, k, run) = (self.c, self.patch_len(), self.kw * self.c);
        for oy in 0..self.oh {
            for ox in 0..self.ow {
                let row = &mut cols[(oy * self.ow + ox) * k..][..k];
                let (kx0, kx1, ix0) = self.column_run(ox);
                for ky in 0..self.kh {
                    let dst = &mut row[ky * run..][..run];
                    match self.input_row(oy, ky) {
                        Some(iy) if kx0 < kx1 => {
                            dst[..kx0 * c].fill(F::zero());
                            dst[kx1 * c..].fill(F::zero());
                            dst[kx0 * c..kx1 * c].copy_from_slice(
                                &image[(iy * self.w + ix0) * c..][..(kx1 - kx0) * c],
                            );
                        }
                        _ => dst.fill(F::zero()),
                    }
                }
            }
        }
    }

    /// Adds every window row of `cols` back onto one image's gradient.
    fn col2im<F: Float>(&self, cols: &[F], image: &mut [F]) {
        let (c, k, run) = (self.c, self.patch_len(), self.kw * self.c);
        for oy in 0..self.oh {
            for ox in 0..self.ow {
                let row = &cols[(oy * self.ow + ox) * k..][..k];
                let (kx0, kx1, ix0) = self.column_run(ox);
                if kx0 >= kx1 {
                    continue;
                }
                for ky in 0..self.kh {
                    let Some(iy) = self.input_row(oy, ky) else {
                        continue;
                    };
                    let src = &row[ky * run + kx0 * c..ky * run + kx1 * c];
                    let dst = &mut image[(iy * self.w + ix0) * c..][..(kx1 - kx0) * c];
                    for (d, &s) in dst.iter_mut().zip(src) {
                        *d += s;
                    }
                }
            }
        }
    }
}

/// A 2-D convolution with a `[kh, kw, in_channels, filters]` kernel and a `[filters]` bias.
pub struct Conv2D<F: Float> {
    config: Conv2DConfig,
    geometry: Geometry,
    kernel: ArrayD<F>,
    bias: ArrayD<F>,
    grad_kernel: ArrayD<F>,
    grad_bias: ArrayD<F>,
    /// The im2col matrix of the last forward input, `[batch·oh·ow, kh·kw·c]`.
    cols: Option<ArrayD<F>>,
    output: Option<ArrayD<F>>,
}

impl<F: Float> Conv2D<F> {
    /// Builds the layer for `[height, width, channels]` inputs: Glorot-uniform
    /// kernel drawn from `seed`, zero bias.
    ///
    /// # Errors
    /// Returns [`TrainerError::InvalidConfig`] for a bad config and
    /// [`TrainerError::Shape`] when a `valid` window does not fit the input.
    pub fn new(config: &Conv2DConfig, input_shape: &[usize], seed: u64) -> Result<Self> {
        config.validate()?;
        let [kh, kw] = config.kernel_size;
        let [sh, sw] = config.strides;
        let (h, w, c) = (input_shape[0], input_shape[1], input_shape[2]);
        let rows = axis_geometry(h, kh, sh, config.padding)?;
        let columns = axis_geometry(w, kw, sw, config.padding)?;
        let geometry = Geometry {
            h,
            w,
            c,
            kh,
            kw,
            sh,
            sw,
            oh: rows.out,
            ow: columns.out,
            pad_top: rows.pad_before,
            pad_left: columns.pad_before,
        };
        let mut rng = SplitMix64::new(seed);
        let kernel = glorot_uniform(&[kh, kw, c, config.filters], &mut rng);
        Ok(Self {
            config: config.clone(),
            geometry,
            grad_kernel: ArrayD::zeros(kernel.raw_dim()),
            kernel,
            bias: ArrayD::zeros(IxDyn(&[config.filters])),
            grad_bias: ArrayD::zeros(IxDyn(&[config.filters])),
            cols: None,
            output: None,
        })
    }

    /// Fills the parameter gradients from `dL/dz` and, when `input_gradient`,
    /// returns `dL/dinput` (im2col transposed: a product, then col2im).
    fn backward_impl(
        &mut self,
        grad_pre_activation: &ArrayD<F>,
        input_gradient: bool,
    ) -> Option<ArrayD<F>> {
        let g = self.geometry;
        let cols = self.cols.as_ref().expect("backward called before forward");
        let grad = standard(grad_pre_activation);
        let (k, positions) = (g.patch_len(), g.oh * g.ow);
        let rows = cols.shape()[0];
        let batch = rows / positions;
        let gz = matrix(&grad, rows);
        gemm_at_b(matrix(cols, rows), gz, matrix_mut(&mut self.grad_kernel, k));
        self.grad_bias.assign(&gz.sum_axis(Axis(0)));
        if !input_gradient {
            return None;
        }

        let mut grad_cols = ArrayD::zeros(IxDyn(&[rows, k]));
        gemm(
            F::one(),
            gz,
            matrix(&self.kernel, k).t(),
            F::zero(),
            matrix_mut(&mut grad_cols, rows),
        );
        let mut grad_input = ArrayD::zeros(IxDyn(&[batch, g.h, g.w, g.c]));
        grad_input
            .as_slice_mut()
            .expect("standard layout")
            .par_chunks_mut(g.h * g.w * g.c)
            .zip(
                grad_cols
                    .as_slice()
                    .expect("standard layout")
                    .par_chunks(positions * k),
            )
            .for_each(|(image, src)| g.col2im(src, image));
        Some(grad_input)
    }
}

impl<F: Float> Layer<F> for Conv2D<F> {
    fn spec(&self) -> LayerSpec {
        LayerSpec::Conv2D(self.config.clone())
    }

    /// # Shapes
    /// `[batch, height, width, channels]` → `[batch, out_height, out_width, filters]`.
    fn forward(&mut self, input: &ArrayD<F>, _mode: Mode) -> ArrayD<F> {
        let g = self.geometry;
        let input = standard(input);
        let batch = input.shape()[0];
        let (k, positions) = (g.patch_len(), g.oh * g.ow);
        let mut cols = match self.cols.take() {
            Some(c) if c.len() == batch * positions * k => c,
            _ => ArrayD::zeros(IxDyn(&[batch * positions, k])),
        };
        let images = input.as_slice().expect("standard layout");
        cols.as_slice_mut()
            .expect("standard layout")
            .par_chunks_mut(positions * k)
            .zip(images.par_chunks(g.h * g.w * g.c))
            .for_each(|(dst, image)| g.im2col(image, dst));

        let filters = self.config.filters;
        let mut out = ArrayD::zeros(IxDyn(&[batch, g.oh, g.ow, filters]));
        {
            let mut out2 = matrix_mut(&mut out, batch * positions);
            fill_rows(out2.view_mut(), &self.bias);
            gemm(
                F::one(),
                matrix(&cols, batch * positions),
                matrix(&self.kernel, k),
                F::one(),
                out2,
            );
        }
        self.config.activation.apply_inplace(&mut out);
        self.cols = Some(cols);
        self.output = Some(out.clone());
        out
    }

    fn backward(&mut self, grad_output: &ArrayD<F>) -> ArrayD<F> {
        let output = self
            .output
            .as_ref()
            .expect("backward called before forward");
        let grad = self.config.activation.backward(output, grad_output);
        self.backward_pre_activation(&grad)
    }

    fn activation(&self) -> Activation {
        self.config.activation
    }

    fn backward_pre_activation(&mut self, grad_pre_activation: &ArrayD<F>) -> ArrayD<F> {
        self.backward_impl(grad_pre_activation, true)
            .expect("input gradient requested")
    }

    fn backward_params_only(&mut self, grad_output: &ArrayD<F>) {
        let output = self
            .output
            .as_ref()
            .expect("backward called before forward");
        let grad = self.config.activation.backward(output, grad_output);
        self.backward_impl(&grad, false);
    }

    fn params_mut(&mut self) -> Vec<ParamMut<'_, F>> {
        vec![
            ParamMut {
                name: "kernel",
                value: &mut self.kernel,
                grad: &self.grad_kernel,
            },
            ParamMut {
                name: "bias",
                value: &mut self.bias,
                grad: &self.grad_bias,
            },
        ]
    }

    fn params(&self) -> Vec<ParamRef<'_, F>> {
        vec![
            ParamRef {
                name: "kernel",
                value: &self.kernel,
            },
            ParamRef {
                name: "bias",
                value: &self.bias,
            },
        ]
    }

    fn output_shape(&self, _input_shape: &[usize]) -> Vec<usize> {
        vec![self.geometry.oh, self.geometry.ow, self.config.filters]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::layers::gradcheck::{check_layer, probe_weights};

    #[test]
    fn conv2d_gradients_match_central_differences_for_paddings_and_strides() {
        for (padding, stride, size) in [
            (Padding::Same, 1, 5),
            (Padding::Same, 2, 6),
            (Padding::Same, 2, 5),
            (Padding::Valid, 1, 5),
            (Padding::Valid, 2, 6),
        ] {
            let config = Conv2DConfig::new(3, 3)
                .with_strides(stride)
                .with_padding(padding)
                .with_activation(Activation::Tanh);
            let mut layer = Conv2D::<f64>::new(&config, &[size, size, 2], 11).unwrap();
            layer.params_mut()[1]
                .value
                .assign(&ndarray::arr1(&[0.1, -0.1, 0.2]).into_dyn());
            check_layer(&mut layer, &probe_weights(&[2, size, size, 2]), 1e-7);
        }
    }

    #[test]
    fn parameter_only_backward_fills_the_same_gradients() {
        let config = Conv2DConfig::new(2, 3)
            .with_padding(Padding::Same)
            .with_activation(Activation::Relu);
        let mut layer = Conv2D::<f64>::new(&config, &[4, 4, 1], 2).unwrap();
        let x = probe_weights(&[2, 4, 4, 1]);
        let g = probe_weights(&[2, 4, 4, 2]);
        layer.forward(&x, Mode::Train);
        layer.backward(&g);
        let full: Vec<ArrayD<f64>> = layer.params_mut().iter().map(|p| p.grad.clone()).collect();
        // Overwrite the gradients with those of 2g, so a no-op would be caught.
        layer.backward(&(&g * 2.0));
        layer.forward(&x, Mode::Train);
        layer.backward_params_only(&g);
        let only: Vec<ArrayD<f64>> = layer.params_mut().iter().map(|p| p.grad.clone()).collect();
        assert_eq!(full, only);
    }

    #[test]
    fn same_padding_with_stride_two_matches_tensorflow_sizes() {
        let config = Conv2DConfig::new(16, 3)
            .with_strides(2)
            .with_padding(Padding::Same);
        let layer = Conv2D::<f32>::new(&config, &[28, 28, 1], 0).unwrap();
        assert_eq!(layer.output_shape(&[28, 28, 1]), vec![14, 14, 16]);
        // 28 → 14: total padding (14−1)·2 + 3 − 28 = 1, all of it after.
        assert_eq!(
            axis_geometry(28, 3, 2, Padding::Same).unwrap(),
            AxisGeometry {
                out: 14,
                pad_before: 0
            }
        );
        assert_eq!(
            axis_geometry(7, 3, 1, Padding::Same).unwrap(),
            AxisGeometry {
                out: 7,
                pad_before: 1
            }
        );
        assert!(axis_geometry(2, 3, 1, Padding::Valid).is_err());
        assert!(Conv2DConfig::new(4, 0).validate().is_err());
    }

    #[test]
    fn conv2d_forward_matches_a_direct_convolution() {
        // One 3x3 image, one 2x2 kernel of ones, valid: each output sums a window.
        let config = Conv2DConfig::new(1, 2);
        let mut layer = Conv2D::<f64>::new(&config, &[3, 3, 1], 0).unwrap();
        layer.params_mut()[0].value.fill(1.0);
        let x =
            ArrayD::from_shape_vec(IxDyn(&[1, 3, 3, 1]), (1..=9).map(f64::from).collect()).unwrap();
        let y = layer.forward(&x, Mode::Infer);
        assert_eq!(y.as_slice().unwrap(), &[12.0, 16.0, 24.0, 28.0]);
    }
}
