//! The neural-network library: layers, activations, losses, initializers,
//! optimizers, metrics, callbacks and the `Sequential` model.

pub mod activation;
pub mod callbacks;
pub mod init;
pub mod io;
pub mod layer;
pub mod layers;
pub mod linalg;
pub mod loss;
pub mod metrics;
pub mod model;
pub mod optim;
pub mod summary;

pub use activation::Activation;
pub use callbacks::{Callback, Control, EarlyStopping, History, Logs};
pub use layer::{Layer, LayerSpec, Mode, ParamMut, ParamRef};
pub use loss::Loss;
pub use metrics::Metric;
pub use model::{FitConfig, Sequential};
pub use summary::ModelSummary;
