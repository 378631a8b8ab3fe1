//! Saving and loading models: the weights as `model.safetensors` (one tensor
//! per parameter under its stable name, `dense_1.kernel`) and the
//! architecture as `architecture.json` beside it. Loading rebuilds the layers
//! from the JSON and copies the weights bit for bit, so predictions match
//! exactly.

use crate::error::{Result, TrainerError};
use crate::float::Float;
use crate::nn::layer::LayerSpec;
use crate::nn::model::Sequential;
use ndarray::{ArrayD, IxDyn};
use safetensors::tensor::TensorView;
use safetensors::SafeTensors;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// File name of the weights inside a saved-model directory.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// File name of the architecture inside a saved-model directory.
pub const ARCHITECTURE_FILE: &str = "architecture.json";
/// Format tag written into `architecture.json`.
const FORMAT: &str = "ferroflow-trainer/sequential-v1";

/// One layer of the saved architecture.
#[derive(Debug, Serialize, Deserialize)]
struct LayerRecord {
    name: String,
    #[serde(flatten)]
    spec: LayerSpec,
}

/// The content of `architecture.json`.
#[derive(Debug, Serialize, Deserialize)]
struct Architecture {
    format: String,
    name: String,
    dtype: String,
    input_shape: Vec<usize>,
    seed: u64,
    layers: Vec<LayerRecord>,
}

fn serialization(e: impl std::fmt::Display) -> TrainerError {
    TrainerError::Serialization(e.to_string())
}

impl<F: Float> Sequential<F> {
    /// Writes `model.safetensors` and `architecture.json` into `dir`, creating it.
    ///
    /// # Errors
    /// Returns [`TrainerError::Io`] or [`TrainerError::Serialization`] on failure.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<()> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)?;
        let architecture = Architecture {
            format: FORMAT.into(),
            name: self.name.clone(),
            dtype: format!("{:?}", F::DTYPE),
            input_shape: self.input_shape.clone(),
            seed: self.seed,
            layers: self
                .entries
                .iter()
                .map(|e| LayerRecord {
                    name: e.name.clone(),
                    spec: e.layer.spec(),
                })
                .collect(),
        };
        let json = serde_json::to_string_pretty(&architecture).map_err(serialization)?;
        std::fs::write(dir.join(ARCHITECTURE_FILE), json)?;

        let weights = self.get_weights();
        let bytes: Vec<Vec<u8>> = weights
            .iter()
            .map(|(_, value)| {
                let mut out = Vec::with_capacity(value.len() * F::BYTES);
                F::write_le(
                    &value
                        .as_standard_layout()
                        .iter()
                        .copied()
                        .collect::<Vec<_>>(),
                    &mut out,
                );
                out
            })
            .collect();
        let views = weights
            .iter()
            .zip(&bytes)
            .map(|((name, value), data)| {
                TensorView::new(F::DTYPE, value.shape().to_vec(), data)
                    .map(|view| (name.clone(), view))
                    .map_err(serialization)
            })
            .collect::<Result<Vec<_>>>()?;
        safetensors::serialize_to_file(views, None, &dir.join(WEIGHTS_FILE))
            .map_err(serialization)?;
        Ok(())
    }

    /// Rebuilds a model saved by [`Sequential::save`] (uncompiled).
    ///
    /// # Errors
    /// Returns [`TrainerError::Io`] when a file cannot be read,
    /// [`TrainerError::Serialization`] for malformed files or another dtype, and
    /// [`TrainerError::Shape`] when weights do not fit the architecture.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let json = std::fs::read_to_string(dir.join(ARCHITECTURE_FILE))?;
        let architecture: Architecture = serde_json::from_str(&json).map_err(serialization)?;
        if architecture.format != FORMAT {
            return Err(serialization(format!(
                "unknown format {:?}",
                architecture.format
            )));
        }
        let mut model = Sequential::new(&architecture.input_shape).with_seed(architecture.seed);
        model.name = architecture.name;
        for record in architecture.layers {
            model.add_named(record.spec, record.name)?;
        }

        let bytes = std::fs::read(dir.join(WEIGHTS_FILE))?;
        let tensors = SafeTensors::deserialize(&bytes).map_err(serialization)?;
        let mut weights = Vec::new();
        for (name, _) in model.get_weights() {
            let view = tensors.tensor(&name).map_err(serialization)?;
            if view.dtype() != F::DTYPE {
                return Err(serialization(format!(
                    "tensor {name} is {:?}, the model is {:?}",
                    view.dtype(),
                    F::DTYPE
                )));
            }
            let value = ArrayD::from_shape_vec(IxDyn(view.shape()), F::read_le(view.data()))
                .map_err(serialization)?;
            weights.push((name, value));
        }
        model.set_weights(&weights)?;
        Ok(model)
    }
}
