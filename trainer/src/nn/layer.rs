//! The [`Layer`] trait every layer implements, the [`LayerSpec`] enum that
//! describes a layer by its Keras class name and config (used to build
//! layers, to name them, and as the saved architecture), and the named
//! parameter views optimizers and checkpoints work on.

use crate::error::{Result, TrainerError};
use crate::float::Float;
use crate::nn::activation::Activation;
use crate::nn::layers::{
    activation::{ActivationConfig, ActivationLayer},
    conv2d::{Conv2D, Conv2DConfig},
    dense::{Dense, DenseConfig},
    dropout::{Dropout, DropoutConfig},
    flatten::Flatten,
    lstm::Lstm,
    pooling2d::{Pooling2D, Pooling2DConfig, PoolingKind},
    recurrent::RecurrentConfig,
    simple_rnn::SimpleRnn,
};
use ndarray::ArrayD;
use serde::{Deserialize, Serialize};

/// Whether a forward pass is part of training (dropout active) or inference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Training: dropout masks are drawn and inputs cached for backward.
    Train,
    /// Inference: dropout is the identity.
    Infer,
}

/// A trainable parameter and its gradient from the last backward pass.
pub struct ParamMut<'a, F> {
    /// The parameter's name inside its layer (`kernel`, `bias`, `recurrent_kernel`).
    pub name: &'static str,
    /// The parameter's value, updated in place by optimizers.
    pub value: &'a mut ArrayD<F>,
    /// `dL/dvalue` from the last call to [`Layer::backward`].
    pub grad: &'a ArrayD<F>,
}

/// A read-only view of a parameter, for checkpoints and summaries.
pub struct ParamRef<'a, F> {
    /// The parameter's name inside its layer.
    pub name: &'static str,
    /// The parameter's value.
    pub value: &'a ArrayD<F>,
}

/// A layer: a differentiable function of its input and its parameters.
///
/// Tensors carry the batch on axis 0; shapes passed to [`Layer::output_shape`]
/// leave it out, as Keras' `(None, ...)`.
pub trait Layer<F: Float>: Send {
    /// Returns the layer's description: Keras class and config.
    fn spec(&self) -> LayerSpec;

    /// Computes the output, caching what [`Layer::backward`] needs.
    fn forward(&mut self, input: &ArrayD<F>, mode: Mode) -> ArrayD<F>;

    /// Fills the parameter gradients and returns `dL/dinput` from `dL/doutput`.
    ///
    /// # Panics
    /// Panics when called without a preceding [`Layer::forward`].
    fn backward(&mut self, grad_output: &ArrayD<F>) -> ArrayD<F>;

    /// Returns the activation the layer applies last (linear when none).
    fn activation(&self) -> Activation {
        Activation::Linear
    }

    /// Like [`Layer::backward`], but from the gradient with respect to the
    /// pre-activation: losses fused with softmax or sigmoid use it.
    fn backward_pre_activation(&mut self, grad_pre_activation: &ArrayD<F>) -> ArrayD<F> {
        self.backward(grad_pre_activation)
    }

    /// Fills the parameter gradients like [`Layer::backward`] but may skip
    /// `dL/dinput`: models call it on their first layer, whose input
    /// gradient nobody reads.
    fn backward_params_only(&mut self, grad_output: &ArrayD<F>) {
        self.backward(grad_output);
    }

    /// Returns the parameters with their gradients, in a fixed order.
    fn params_mut(&mut self) -> Vec<ParamMut<'_, F>> {
        Vec::new()
    }

    /// Returns the parameters, in the order of [`Layer::params_mut`].
    fn params(&self) -> Vec<ParamRef<'_, F>> {
        Vec::new()
    }

    /// Returns the output shape for a per-sample input shape.
    fn output_shape(&self, input_shape: &[usize]) -> Vec<usize>;
}

/// A layer's Keras class name and configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "class_name", content = "config")]
pub enum LayerSpec {
    /// A fully connected layer.
    Dense(DenseConfig),
    /// A 2-D convolution on channels-last images.
    Conv2D(Conv2DConfig),
    /// 2-D max pooling.
    MaxPooling2D(Pooling2DConfig),
    /// 2-D average pooling.
    AveragePooling2D(Pooling2DConfig),
    /// Flattening to one axis per sample.
    Flatten,
    /// Inverted dropout.
    Dropout(DropoutConfig),
    /// A fully connected recurrent layer with tanh.
    #[serde(rename = "SimpleRNN")]
    SimpleRnn(RecurrentConfig),
    /// A long short-term memory layer.
    #[serde(rename = "LSTM")]
    Lstm(RecurrentConfig),
    /// A stand-alone activation.
    Activation(ActivationConfig),
}

impl LayerSpec {
    /// Returns the Keras class name, as shown by `summary()`.
    pub fn class_name(&self) -> &'static str {
        match self {
            Self::Dense(_) => "Dense",
            Self::Conv2D(_) => "Conv2D",
            Self::MaxPooling2D(_) => "MaxPooling2D",
            Self::AveragePooling2D(_) => "AveragePooling2D",
            Self::Flatten => "Flatten",
            Self::Dropout(_) => "Dropout",
            Self::SimpleRnn(_) => "SimpleRNN",
            Self::Lstm(_) => "LSTM",
            Self::Activation(_) => "Activation",
        }
    }

    /// Returns the prefix of Keras' automatic layer names (`dense`, `conv2d`, ...).
    pub fn base_name(&self) -> &'static str {
        match self {
            Self::Dense(_) => "dense",
            Self::Conv2D(_) => "conv2d",
            Self::MaxPooling2D(_) => "max_pooling2d",
            Self::AveragePooling2D(_) => "average_pooling2d",
            Self::Flatten => "flatten",
            Self::Dropout(_) => "dropout",
            Self::SimpleRnn(_) => "simple_rnn",
            Self::Lstm(_) => "lstm",
            Self::Activation(_) => "activation",
        }
    }

    /// Builds the layer for a per-sample `input_shape`, initializing its
    /// parameters from `seed`.
    ///
    /// # Errors
    /// Returns [`TrainerError::InvalidConfig`] for a bad config and
    /// [`TrainerError::Shape`] when the input rank does not suit the layer.
    pub fn build<F: Float>(&self, input_shape: &[usize], seed: u64) -> Result<Box<dyn Layer<F>>> {
        let expect_rank = |rank: usize| {
            if input_shape.len() == rank {
                Ok(())
            } else {
                Err(TrainerError::Shape(format!(
                    "{} expects inputs of rank {} per sample (batch excluded), got {:?}",
                    self.class_name(),
                    rank,
                    input_shape
                )))
            }
        };
        if input_shape.contains(&0) {
            return Err(TrainerError::Shape(format!(
                "input shape {input_shape:?} has an empty axis"
            )));
        }
        Ok(match self {
            Self::Dense(c) => {
                if input_shape.is_empty() {
                    return Err(TrainerError::Shape(
                        "Dense needs at least one input axis".into(),
                    ));
                }
                Box::new(Dense::new(c, input_shape[input_shape.len() - 1], seed)?)
            }
            Self::Conv2D(c) => {
                expect_rank(3)?;
                Box::new(Conv2D::new(c, input_shape, seed)?)
            }
            Self::MaxPooling2D(c) => {
                expect_rank(3)?;
                Box::new(Pooling2D::new(PoolingKind::Max, c, input_shape)?)
            }
            Self::AveragePooling2D(c) => {
                expect_rank(3)?;
                Box::new(Pooling2D::new(PoolingKind::Average, c, input_shape)?)
            }
            Self::Flatten => Box::new(Flatten::new()),
            Self::Dropout(c) => Box::new(Dropout::new(c, seed)?),
            Self::SimpleRnn(c) => {
                expect_rank(2)?;
                Box::new(SimpleRnn::new(c, input_shape[1], seed)?)
            }
            Self::Lstm(c) => {
                expect_rank(2)?;
                Box::new(Lstm::new(c, input_shape[1], seed)?)
            }
            Self::Activation(c) => Box::new(ActivationLayer::new(c)),
        })
    }
}

impl From<DenseConfig> for LayerSpec {
    fn from(c: DenseConfig) -> Self {
        Self::Dense(c)
    }
}

impl From<Conv2DConfig> for LayerSpec {
    fn from(c: Conv2DConfig) -> Self {
        Self::Conv2D(c)
    }
}

impl From<DropoutConfig> for LayerSpec {
    fn from(c: DropoutConfig) -> Self {
        Self::Dropout(c)
    }
}

impl From<ActivationConfig> for LayerSpec {
    fn from(c: ActivationConfig) -> Self {
        Self::Activation(c)
    }
}
