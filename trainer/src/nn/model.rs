//! `Sequential`: a Keras-shaped stack of layers with `add`, `compile`, `fit`,
//! `evaluate`, `predict` and `summary` (Keras `keras.Sequential`).
//!
//! `fit` follows Keras 3: each epoch reshuffles the training rows (seeded),
//! uses the last partial batch, reports `loss` as the sample-weighted mean of
//! the batch losses (dropout active), and takes a `validation_split` from the
//! end of the data before shuffling.

use crate::data::rng::derive_seed;
use crate::data::split::shuffle;
use crate::data::{take_rows, SplitMix64};
use crate::error::{Result, TrainerError};
use crate::float::Float;
use crate::nn::callbacks::{Callback, Control, History, Logs};
use crate::nn::layer::{Layer, LayerSpec, Mode};
use crate::nn::loss::Loss;
use crate::nn::metrics::{Metric, MetricState};
use crate::nn::optim::{NamedParam, Optimizer};
use crate::nn::summary::{ModelSummary, SummaryRow};
use indicatif::{ProgressBar, ProgressStyle};
use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn};

/// A layer of a model with its Keras name and shapes.
pub(crate) struct LayerEntry<F: Float> {
    pub(crate) name: String,
    pub(crate) layer: Box<dyn Layer<F>>,
    pub(crate) output_shape: Vec<usize>,
    /// `<layer name>.<parameter name>` per parameter, in `params()` order.
    pub(crate) param_names: Vec<String>,
}

/// What `compile` fixed: the optimizer, the loss and the metrics.
struct Compiled<F: Float> {
    optimizer: Box<dyn Optimizer<F>>,
    loss: Loss,
    metrics: Vec<Metric>,
}

/// Where validation data comes from.
#[derive(Clone, Debug, Default)]
pub enum Validation<F: Float> {
    /// No validation.
    #[default]
    None,
    /// The last fraction of the training data, taken before shuffling.
    Split(f64),
    /// Separate inputs and targets.
    Data(Box<(ArrayD<F>, ArrayD<F>)>),
}

/// Settings of one `fit` call.
#[derive(Clone, Debug)]
pub struct FitConfig<F: Float> {
    /// Number of passes over the training data.
    pub epochs: usize,
    /// Rows per mini-batch (the last batch may be smaller).
    pub batch_size: usize,
    /// Validation data, evaluated after each epoch as `val_*` logs.
    pub validation: Validation<F>,
    /// Whether each epoch visits the rows in a new random order.
    pub shuffle: bool,
    /// Whether to print Keras' progress bar.
    pub verbose: bool,
    /// Seed of the shuffling generator.
    pub seed: u64,
}

impl<F: Float> FitConfig<F> {
    /// Returns settings for `epochs` epochs of `batch_size` rows, shuffled,
    /// without validation or progress output, shuffling seed 0.
    pub fn new(epochs: usize, batch_size: usize) -> Self {
        Self {
            epochs,
            batch_size,
            validation: Validation::None,
            shuffle: true,
            verbose: false,
            seed: 0,
        }
    }

    /// Holds out the last `fraction` of the rows for validation.
    pub fn with_validation_split(mut self, fraction: f64) -> Self {
        self.validation = Validation::Split(fraction);
        self
    }

    /// Validates on separate data.
    pub fn with_validation_data(mut self, x: ArrayD<F>, y: ArrayD<F>) -> Self {
        self.validation = Validation::Data(Box::new((x, y)));
        self
    }

    /// Sets whether rows are reshuffled each epoch.
    pub fn with_shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// Sets whether the progress bar is printed.
    pub fn with_verbose(mut self, verbose: bool) -> Self {
        self.verbose = verbose;
        self
    }

    /// Sets the shuffling seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// Returns [`TrainerError::InvalidConfig`] for zero epochs or batch size, or
    /// a validation split outside (0, 1).
    pub fn validate(&self) -> Result<()> {
        if self.epochs == 0 || self.batch_size == 0 {
            return Err(TrainerError::InvalidConfig(
                "epochs and batch_size must be positive".into(),
            ));
        }
        if let Validation::Split(f) = self.validation {
            if !(f > 0.0 && f < 1.0) {
                return Err(TrainerError::InvalidConfig(format!(
                    "validation_split must be in (0, 1), got {f}"
                )));
            }
        }
        Ok(())
    }
}

/// A linear stack of layers.
pub struct Sequential<F: Float> {
    pub(crate) name: String,
    pub(crate) input_shape: Vec<usize>,
    pub(crate) seed: u64,
    pub(crate) entries: Vec<LayerEntry<F>>,
    compiled: Option<Compiled<F>>,
}

impl<F: Float> Sequential<F> {
    /// Returns an empty model for samples of `input_shape` (batch axis
    /// excluded, like `keras.Input(shape=...)`), initializing weights from seed 0.
    pub fn new(input_shape: &[usize]) -> Self {
        Self {
            name: "sequential".into(),
            input_shape: input_shape.to_vec(),
            seed: 0,
            entries: Vec::new(),
            compiled: None,
        }
    }

    /// Sets the seed that layer weights and dropout masks derive from; call
    /// it before `add` (layers added earlier keep their weights).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Returns the per-sample input shape.
    pub fn input_shape(&self) -> &[usize] {
        &self.input_shape
    }

    /// Returns the per-sample output shape of the last layer.
    pub fn output_shape(&self) -> &[usize] {
        self.entries
            .last()
            .map_or(&self.input_shape, |e| &e.output_shape)
    }

    /// Returns the Keras names of the layers (`conv2d`, `dense_1`, ...).
    pub fn layer_names(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.name.as_str()).collect()
    }

    /// Returns the layer specs in order, as saved in `architecture.json`.
    pub fn layer_specs(&self) -> Vec<LayerSpec> {
        self.entries.iter().map(|e| e.layer.spec()).collect()
    }

    /// Appends a layer built from its config; its weights are initialized from
    /// the model seed and the layer's position.
    ///
    /// # Errors
    /// Returns [`TrainerError::InvalidConfig`] or [`TrainerError::Shape`] when
    /// the config is invalid or does not fit the previous layer's output.
    pub fn add(&mut self, spec: impl Into<LayerSpec>) -> Result<&mut Self> {
        let spec = spec.into();
        let base = spec.base_name();
        let same_kind = self
            .entries
            .iter()
            .filter(|e| e.layer.spec().base_name() == base)
            .count();
        let name = if same_kind == 0 {
            base.to_owned()
        } else {
            format!("{base}_{same_kind}")
        };
        self.add_named(spec, name)?;
        Ok(self)
    }

    /// Appends a layer under a given name (used when loading a saved model).
    pub(crate) fn add_named(&mut self, spec: LayerSpec, name: String) -> Result<()> {
        let input_shape = self.output_shape().to_vec();
        let layer = spec.build::<F>(
            &input_shape,
            derive_seed(self.seed, self.entries.len() as u64),
        )?;
        let output_shape = layer.output_shape(&input_shape);
        let param_names = layer
            .params()
            .iter()
            .map(|p| format!("{name}.{}", p.name))
            .collect();
        self.entries.push(LayerEntry {
            name,
            layer,
            output_shape,
            param_names,
        });
        Ok(())
    }

    /// Fixes the optimizer, the loss and the metrics (Keras `compile`).
    ///
    /// # Errors
    /// Returns [`TrainerError::InvalidConfig`] for an invalid optimizer or a model without layers.
    pub fn compile(
        &mut self,
        optimizer: impl Optimizer<F> + 'static,
        loss: Loss,
        metrics: &[Metric],
    ) -> Result<()> {
        optimizer.validate()?;
        if self.entries.is_empty() {
            return Err(TrainerError::InvalidConfig(
                "cannot compile a model without layers".into(),
            ));
        }
        self.compiled = Some(Compiled {
            optimizer: Box::new(optimizer),
            loss,
            metrics: metrics.to_vec(),
        });
        Ok(())
    }

    /// Returns the compiled optimizer, for logging its name and hyperparameters.
    pub fn optimizer(&self) -> Option<&dyn Optimizer<F>> {
        self.compiled.as_ref().map(|c| c.optimizer.as_ref())
    }

    /// Returns the compiled loss.
    pub fn loss(&self) -> Option<Loss> {
        self.compiled.as_ref().map(|c| c.loss)
    }

    /// Returns the number of scalar parameters.
    pub fn count_params(&self) -> usize {
        self.entries
            .iter()
            .flat_map(|e| e.layer.params())
            .map(|p| p.value.len())
            .sum()
    }

    /// Returns the Keras-style summary table.
    pub fn summary(&self) -> ModelSummary {
        ModelSummary {
            name: self.name.clone(),
            rows: self
                .entries
                .iter()
                .map(|e| SummaryRow {
                    name: e.name.clone(),
                    class_name: e.layer.spec().class_name().to_owned(),
                    output_shape: e.output_shape.clone(),
                    params: e.layer.params().iter().map(|p| p.value.len()).sum(),
                })
                .collect(),
            bytes_per_param: F::BYTES,
        }
    }

    /// Returns copies of all parameters under their stable names (`dense_1.kernel`).
    pub fn get_weights(&self) -> Vec<(String, ArrayD<F>)> {
        self.entries
            .iter()
            .flat_map(|e| {
                e.param_names
                    .iter()
                    .cloned()
                    .zip(e.layer.params().into_iter().map(|p| p.value.clone()))
            })
            .collect()
    }

    /// Sets parameters by name; every parameter of the model must be given.
    ///
    /// # Errors
    /// Returns [`TrainerError::Shape`] when a parameter is missing or has another shape.
    pub fn set_weights(&mut self, weights: &[(String, ArrayD<F>)]) -> Result<()> {
        for entry in &mut self.entries {
            for (param, name) in entry.layer.params_mut().into_iter().zip(&entry.param_names) {
                let (_, value) = weights
                    .iter()
                    .find(|(n, _)| n == name)
                    .ok_or_else(|| TrainerError::Shape(format!("no value for parameter {name}")))?;
                if value.shape() != param.value.shape() {
                    return Err(TrainerError::Shape(format!(
                        "parameter {name} has shape {:?}, got {:?}",
                        param.value.shape(),
                        value.shape()
                    )));
                }
                param.value.assign(value);
            }
        }
        Ok(())
    }

    fn check_inputs(&self, x: &ArrayD<F>) -> Result<()> {
        if x.ndim() == 0 || x.shape()[1..] != self.input_shape[..] {
            return Err(TrainerError::Shape(format!(
                "model expects inputs of shape (batch, {:?}), got {:?}",
                self.input_shape,
                x.shape()
            )));
        }
        Ok(())
    }

    fn check_pair(&self, x: &ArrayD<F>, y: &ArrayD<F>) -> Result<()> {
        self.check_inputs(x)?;
        if y.ndim() == 0 || y.shape()[0] != x.shape()[0] {
            return Err(TrainerError::Shape(format!(
                "inputs have {} rows but targets have shape {:?}",
                x.shape()[0],
                y.shape()
            )));
        }
        Ok(())
    }

    fn forward(&mut self, x: &ArrayD<F>, mode: Mode) -> ArrayD<F> {
        let mut entries = self.entries.iter_mut();
        let first = entries.next().expect("compiled models have layers");
        let mut a = first.layer.forward(x, mode);
        for entry in entries {
            a = entry.layer.forward(&a, mode);
        }
        a
    }

    /// Runs forward, backward and one optimizer step on one batch; returns
    /// the batch loss and the predictions.
    ///
    /// # Errors
    /// Returns [`TrainerError::NotCompiled`] before `compile`, or
    /// [`TrainerError::Shape`] when the batch does not fit the model.
    pub fn train_on_batch(&mut self, x: &ArrayD<F>, y: &ArrayD<F>) -> Result<(F, ArrayD<F>)> {
        self.check_pair(x, y)?;
        let loss = self
            .compiled
            .as_ref()
            .ok_or(TrainerError::NotCompiled)?
            .loss;
        let pred = self.forward(x, Mode::Train);
        let value = loss.value(&pred, y)?;
        let last = self
            .entries
            .last_mut()
            .expect("compiled models have layers");
        let mut grad = match loss.fused_gradient(last.layer.activation(), &pred, y)? {
            Some(grad_logits) => last.layer.backward_pre_activation(&grad_logits),
            None => last.layer.backward(&loss.gradient(&pred, y)?),
        };
        let count = self.entries.len();
        for (index, entry) in self.entries[..count - 1].iter_mut().enumerate().rev() {
            if index == 0 {
                entry.layer.backward_params_only(&grad);
            } else {
                grad = entry.layer.backward(&grad);
            }
        }
        let mut params: Vec<NamedParam<'_, F>> = self
            .entries
            .iter_mut()
            .flat_map(|e| {
                let names = &e.param_names;
                e.layer
                    .params_mut()
                    .into_iter()
                    .zip(names)
                    .map(|(p, name)| NamedParam {
                        name,
                        value: p.value,
                        grad: p.grad,
                    })
            })
            .collect();
        let compiled = self.compiled.as_mut().ok_or(TrainerError::NotCompiled)?;
        compiled.optimizer.step(&mut params);
        Ok((value, pred))
    }

    /// Trains for `config.epochs` epochs (Keras `fit`), calling `callbacks`
    /// after each epoch; returns the per-epoch logs.
    ///
    /// # Errors
    /// Returns [`TrainerError::NotCompiled`] before `compile`,
    /// [`TrainerError::InvalidConfig`] for bad settings, or
    /// [`TrainerError::Shape`] when data does not fit the model.
    pub fn fit(
        &mut self,
        x: &ArrayD<F>,
        y: &ArrayD<F>,
        config: &FitConfig<F>,
        callbacks: &mut [&mut dyn Callback<F>],
    ) -> Result<History> {
        config.validate()?;
        self.check_pair(x, y)?;
        let (loss, metrics) = {
            let c = self.compiled.as_ref().ok_or(TrainerError::NotCompiled)?;
            (c.loss, c.metrics.clone())
        };
        let rows = x.shape()[0];
        let (train_rows, validation) = match &config.validation {
            Validation::None => (rows, None),
            Validation::Split(fraction) => {
                let split_at = ((rows as f64) * (1.0 - fraction)).ceil() as usize;
                let val: Vec<usize> = (split_at..rows).collect();
                (
                    split_at,
                    Some((take_rows(x.view(), &val), take_rows(y.view(), &val))),
                )
            }
            Validation::Data(data) => {
                let (vx, vy) = &**data;
                self.check_pair(vx, vy)?;
                (rows, Some((vx.clone(), vy.clone())))
            }
        };
        if train_rows == 0 {
            return Err(TrainerError::Shape("no training rows".into()));
        }
        let mut rng = SplitMix64::new(derive_seed(config.seed, 0x5EED));
        let steps = train_rows.div_ceil(config.batch_size);
        let mut history = History::default();
        for callback in callbacks.iter_mut() {
            callback.on_train_begin(self);
        }
        for epoch in 0..config.epochs {
            let order: Vec<usize> = if config.shuffle {
                shuffle(&mut rng, train_rows)
            } else {
                (0..train_rows).collect()
            };
            let bar = config.verbose.then(|| {
                println!("Epoch {}/{}", epoch + 1, config.epochs);
                progress_bar(steps)
            });
            let mut states: Vec<MetricState> =
                metrics.iter().map(|m| MetricState::new(*m, loss)).collect();
            let mut loss_sum = 0.0;
            let mut seen = 0usize;
            for batch in order.chunks(config.batch_size) {
                let xb = take_rows(x.view(), batch);
                let yb = take_rows(y.view(), batch);
                let (value, pred) = self.train_on_batch(&xb, &yb)?;
                loss_sum += value.as_f64() * batch.len() as f64;
                seen += batch.len();
                for state in &mut states {
                    state.update(&pred, &yb);
                }
                if let Some(bar) = &bar {
                    bar.inc(1);
                    bar.set_message(epoch_logs(loss_sum / seen as f64, &states).to_string());
                }
            }
            let mut logs = epoch_logs(loss_sum / seen as f64, &states);
            if let Some((vx, vy)) = &validation {
                for (name, value) in self.evaluate(vx, vy, config.batch_size)?.iter() {
                    logs.insert(format!("val_{name}"), value);
                }
            }
            if let Some(bar) = bar {
                bar.finish_with_message(logs.to_string());
            }
            history.push(epoch, &logs);
            let mut stop = false;
            for callback in callbacks.iter_mut() {
                stop |= callback.on_epoch_end(epoch, &logs, self) == Control::Stop;
            }
            if stop {
                break;
            }
        }
        for callback in callbacks.iter_mut() {
            callback.on_train_end(self);
        }
        Ok(history)
    }

    /// Returns the loss and metrics on `x`, `y` in inference mode (Keras `evaluate`).
    ///
    /// # Errors
    /// Returns [`TrainerError::NotCompiled`] before `compile`, or
    /// [`TrainerError::Shape`] when data does not fit the model.
    pub fn evaluate(&mut self, x: &ArrayD<F>, y: &ArrayD<F>, batch_size: usize) -> Result<Logs> {
        self.check_pair(x, y)?;
        let (loss, metrics) = {
            let c = self.compiled.as_ref().ok_or(TrainerError::NotCompiled)?;
            (c.loss, c.metrics.clone())
        };
        let mut states: Vec<MetricState> =
            metrics.iter().map(|m| MetricState::new(*m, loss)).collect();
        let mut loss_sum = 0.0;
        for (xb, yb) in batches(x, batch_size).zip(batches(y, batch_size)) {
            let (xb, yb) = (xb.to_owned(), yb.to_owned());
            let pred = self.forward(&xb, Mode::Infer);
            loss_sum += loss.value(&pred, &yb)?.as_f64() * xb.shape()[0] as f64;
            for state in &mut states {
                state.update(&pred, &yb);
            }
        }
        Ok(epoch_logs(loss_sum / x.shape()[0].max(1) as f64, &states))
    }

    /// Returns the model's outputs for `x`, computed `batch_size` rows at a
    /// time in inference mode (Keras `predict`).
    ///
    /// # Errors
    /// Returns [`TrainerError::Shape`] when `x` does not fit the model, or
    /// [`TrainerError::InvalidConfig`] for an empty model or zero batch size.
    pub fn predict(&mut self, x: &ArrayD<F>, batch_size: usize) -> Result<ArrayD<F>> {
        self.check_inputs(x)?;
        if self.entries.is_empty() || batch_size == 0 {
            return Err(TrainerError::InvalidConfig(
                "predict needs layers and a positive batch size".into(),
            ));
        }
        let outputs: Vec<ArrayD<F>> = batches(x, batch_size)
            .map(|xb| self.forward(&xb.to_owned(), Mode::Infer))
            .collect();
        let views: Vec<ArrayViewD<'_, F>> = outputs.iter().map(|o| o.view()).collect();
        ndarray::concatenate(Axis(0), &views).map_err(|e| TrainerError::Shape(e.to_string()))
    }
}

/// Splits a tensor into consecutive row blocks of `batch_size` (at least one block).
fn batches<F: Float>(
    x: &ArrayD<F>,
    batch_size: usize,
) -> ndarray::iter::AxisChunksIter<'_, F, IxDyn> {
    x.axis_chunks_iter(Axis(0), batch_size.max(1))
}

fn epoch_logs(loss: f64, states: &[MetricState]) -> Logs {
    let mut logs = Logs::new();
    logs.insert("loss", loss);
    for state in states {
        logs.insert(state.name(), state.result());
    }
    logs
}

/// Keras' progress line: `469/469 ━━━━━━━━━━━━━━━━━━━━ 4s loss: 0.2100 - accuracy: 0.9400`.
fn progress_bar(steps: usize) -> ProgressBar {
    let bar = ProgressBar::new(steps as u64);
    bar.set_style(
        ProgressStyle::with_template("{pos}/{len} {bar:20} {elapsed} {msg}")
            .expect("template is valid")
            .progress_chars("━━─"),
    );
    bar
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::activation::Activation;
    use crate::nn::callbacks::EarlyStopping;
    use crate::nn::layers::{Conv2DConfig, DenseConfig, DropoutConfig, Padding};
    use crate::nn::optim::{Adam, Sgd};
    use ndarray::Array2;

    fn xor_like(n: usize) -> (ArrayD<f64>, ArrayD<f64>) {
        let mut rng = SplitMix64::new(1);
        let x = Array2::from_shape_simple_fn((n, 2), || rng.uniform(-1.0, 1.0));
        let y = x
            .rows()
            .into_iter()
            .map(|r| f64::from(u8::from(r[0] * r[1] > 0.0)))
            .collect::<Vec<_>>();
        (
            x.into_dyn(),
            ArrayD::from_shape_vec(IxDyn(&[n, 1]), y).unwrap(),
        )
    }

    fn classifier() -> Sequential<f64> {
        let mut model = Sequential::new(&[2]).with_seed(3);
        model
            .add(DenseConfig::new(16).with_activation(Activation::Tanh))
            .unwrap();
        model.add(DropoutConfig::new(0.1)).unwrap();
        model
            .add(DenseConfig::new(1).with_activation(Activation::Sigmoid))
            .unwrap();
        model
    }

    #[test]
    fn fit_learns_a_nonlinear_boundary_and_logs_validation() {
        let (x, y) = xor_like(400);
        let mut model = classifier();
        model
            .compile(
                Adam::new(0.02),
                Loss::BinaryCrossentropy,
                &[Metric::Accuracy, Metric::Auc],
            )
            .unwrap();
        let config = FitConfig::new(60, 32).with_validation_split(0.25);
        let history = model.fit(&x, &y, &config, &mut []).unwrap();
        let loss = history.get("loss").unwrap();
        assert!(loss[59] < 0.5 * loss[0], "loss {} -> {}", loss[0], loss[59]);
        let val_accuracy = history.get("val_accuracy").unwrap()[59];
        assert!(val_accuracy > 0.9, "val accuracy {val_accuracy}");
        assert_eq!(
            history.history.keys().collect::<Vec<_>>(),
            [
                "accuracy",
                "auc",
                "loss",
                "val_accuracy",
                "val_auc",
                "val_loss"
            ]
        );
        let logs = model.evaluate(&x, &y, 64).unwrap();
        assert!(logs.get("auc").unwrap() > 0.95);
        assert_eq!(model.predict(&x, 7).unwrap().shape(), &[400, 1]);
    }

    #[test]
    fn the_same_seeds_give_the_same_training_run() {
        let (x, y) = xor_like(100);
        let run = || {
            let mut model = classifier();
            model
                .compile(Sgd::new(0.1), Loss::BinaryCrossentropy, &[])
                .unwrap();
            model
                .fit(&x, &y, &FitConfig::new(3, 16).with_seed(5), &mut [])
                .unwrap();
            model.get_weights()
        };
        assert_eq!(run(), run());
    }

    struct Recorder(Vec<(usize, f64)>);

    impl Callback<f64> for Recorder {
        fn on_epoch_end(
            &mut self,
            epoch: usize,
            logs: &Logs,
            _model: &mut Sequential<f64>,
        ) -> Control {
            self.0.push((epoch, logs.get("loss").unwrap()));
            Control::Continue
        }
    }

    #[test]
    fn early_stopping_restores_the_best_weights_and_callbacks_see_each_epoch() {
        let (x, y) = xor_like(200);
        let mut model = classifier();
        // A learning rate this large makes validation loss rise, so training stops early.
        model
            .compile(Sgd::new(50.0), Loss::BinaryCrossentropy, &[])
            .unwrap();
        let mut stopper = EarlyStopping::new("val_loss")
            .with_patience(2)
            .with_restore_best_weights(true);
        let mut recorder = Recorder(Vec::new());
        let config = FitConfig::new(40, 16).with_validation_split(0.3);
        let history = model
            .fit(&x, &y, &config, &mut [&mut stopper, &mut recorder])
            .unwrap();
        let stopped = stopper.stopped_epoch.expect("training stopped early");
        assert_eq!(history.epochs.len(), stopped + 1);
        assert_eq!(recorder.0.len(), stopped + 1);
        let best_epoch = stopper.best_epoch.unwrap();
        let val_loss = history.get("val_loss").unwrap();
        let best = val_loss.iter().copied().fold(f64::INFINITY, f64::min);
        assert_eq!(val_loss[best_epoch], best);
        // The restored weights reproduce the best epoch's validation loss.
        let n_val = 60;
        let vx = take_rows(x.view(), &(140..200).collect::<Vec<_>>());
        let vy = take_rows(y.view(), &(140..200).collect::<Vec<_>>());
        let restored = model.evaluate(&vx, &vy, 16).unwrap().get("loss").unwrap();
        assert_eq!(vx.shape()[0], n_val);
        assert!(
            (restored - best).abs() < 1e-12,
            "restored {restored}, best {best}"
        );
    }

    #[test]
    fn bad_inputs_and_configs_are_errors() {
        let mut model = Sequential::<f32>::new(&[4, 4, 1]);
        assert!(
            model.add(Conv2DConfig::new(2, 5)).is_err(),
            "valid 5x5 window on a 4x4 input"
        );
        model
            .add(Conv2DConfig::new(2, 3).with_padding(Padding::Same))
            .unwrap();
        let x = ArrayD::<f32>::zeros(IxDyn(&[2, 4, 4, 1]));
        let y = ArrayD::<f32>::zeros(IxDyn(&[2, 4, 4, 2]));
        assert!(matches!(
            model.fit(&x, &y, &FitConfig::new(1, 2), &mut []),
            Err(TrainerError::NotCompiled)
        ));
        model
            .compile(Adam::default(), Loss::MeanSquaredError, &[])
            .unwrap();
        assert!(model.fit(&x, &y, &FitConfig::new(0, 2), &mut []).is_err());
        let wrong = ArrayD::<f32>::zeros(IxDyn(&[2, 5, 4, 1]));
        assert!(matches!(
            model.predict(&wrong, 2),
            Err(TrainerError::Shape(_))
        ));
        assert!(model.fit(&x, &y, &FitConfig::new(1, 2), &mut []).is_ok());
    }
}
