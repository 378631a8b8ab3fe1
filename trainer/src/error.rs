//! The trainer's error type: bad configurations, shape mismatches and I/O
//! failures are reported as values instead of panics.

/// Errors returned by model construction, training and persistence.
#[derive(Debug, thiserror::Error)]
pub enum TrainerError {
    /// A layer, optimizer or training configuration holds an invalid value.
    #[error("invalid config: {0}")]
    InvalidConfig(String),
    /// An input or label array does not have the shape the model expects.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// `fit` or `evaluate` was called before `compile`.
    #[error("model is not compiled: call compile() first")]
    NotCompiled,
    /// Reading or writing a saved model failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// A saved model could not be encoded or decoded.
    #[error("serialization error: {0}")]
    Serialization(String),
}

/// Result alias used across the trainer.
pub type Result<T> = std::result::Result<T, TrainerError>;
