//! Data helpers shared by the trainer and the jobs built on it: the seeded
//! splitmix64 generator and train/test split of `shared/data/README.md`,
//! a standard scaler, one-hot encoding and row gathering for mini-batches.

pub mod batch;
pub mod encode;
pub mod rng;
pub mod scaler;
pub mod split;

pub use batch::take_rows;
pub use encode::one_hot;
pub use rng::SplitMix64;
pub use scaler::StandardScaler;
pub use split::{permutation, train_test_indices};
