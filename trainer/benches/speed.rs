//! Speed benchmark of the trainer on the job shapes of
//! `shared/bench/trainer/README.md`: seconds per epoch (median of epochs
//! 2..N, as keras_bench.py reports) and predict throughput.
//!
//! Run: `cargo bench -p ferroflow-trainer --bench speed -- [jobs] [--epochs N]`
//! with jobs a comma list of `dnn256,dnn32,cnn,rnn,lstm` (default: all).
//! Data is synthetic with the real shapes (numpy's PCG64 streams of the
//! Keras script cannot be regenerated here; shapes and label rules are what
//! matter for speed).

use ferroflow_trainer::data::SplitMix64;
use ferroflow_trainer::nn::layers::{
    Conv2DConfig, DenseConfig, DropoutConfig, Padding, RecurrentConfig,
};
use ferroflow_trainer::nn::optim::Adam;
use ferroflow_trainer::nn::{
    Activation, Callback, Control, FitConfig, LayerSpec, Logs, Loss, Metric, Sequential,
};
use ndarray::{Array2, ArrayD, IxDyn};
use std::time::Instant;

/// Records the wall time of each epoch.
struct EpochTimer {
    last: Instant,
    times: Vec<f64>,
}

impl Callback<f32> for EpochTimer {
    fn on_train_begin(&mut self, _model: &mut Sequential<f32>) {
        self.last = Instant::now();
    }

    fn on_epoch_end(
        &mut self,
        _epoch: usize,
        _logs: &Logs,
        _model: &mut Sequential<f32>,
    ) -> Control {
        let now = Instant::now();
        self.times.push(now.duration_since(self.last).as_secs_f64());
        self.last = now;
        Control::Continue
    }
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// 129,880 rows × 22 columns: 17 normal, 2 binary flags, a 3-level one-hot;
/// label from a noisy logistic rule.
fn tabular() -> (ArrayD<f32>, ArrayD<f32>) {
    let n = 129_880;
    let mut rng = SplitMix64::new(42);
    let weights: Vec<f64> = (0..22).map(|_| rng.normal()).collect();
    let mut x = Array2::<f32>::zeros((n, 22));
    let mut y = ArrayD::<f32>::zeros(IxDyn(&[n, 1]));
    for i in 0..n {
        let mut row = [0.0f64; 22];
        for v in row.iter_mut().take(17) {
            *v = rng.normal();
        }
        row[17] = f64::from(u8::from(rng.next_f64() < 0.5));
        row[18] = f64::from(u8::from(rng.next_f64() < 0.8));
        let u = rng.next_f64();
        row[if u < 0.45 {
            19
        } else if u < 0.53 {
            20
        } else {
            21
        }] = 1.0;
        let score: f64 = row.iter().zip(&weights).map(|(a, b)| a * b).sum::<f64>() / 4.0;
        let logit = 8.0 * score + 0.5 * row[0] * row[1] - 0.3;
        y[[i, 0]] = f32::from(u8::from(rng.next_f64() < 1.0 / (1.0 + (-logit).exp())));
        for (j, v) in row.iter().enumerate() {
            x[[i, j]] = *v as f32;
        }
    }
    (x.into_dyn(), y)
}

/// 60,000 images 28×28×1 in [0, 1]: a blob template per class, shifted ±3 px, plus noise.
fn images() -> (ArrayD<f32>, ArrayD<f32>) {
    let n = 60_000;
    let mut rng = SplitMix64::new(42);
    let templates: Vec<Vec<f64>> = (0..10)
        .map(|_| {
            let blobs: Vec<(f64, f64, f64)> = (0..4)
                .map(|_| {
                    (
                        rng.uniform(7.0, 21.0),
                        rng.uniform(7.0, 21.0),
                        rng.uniform(1.5, 4.0),
                    )
                })
                .collect();
            (0..28 * 28)
                .map(|p| {
                    let (yy, xx) = ((p / 28) as f64, (p % 28) as f64);
                    blobs
                        .iter()
                        .map(|(cy, cx, s)| {
                            (-((yy - cy).powi(2) + (xx - cx).powi(2)) / (2.0 * s * s)).exp()
                        })
                        .sum::<f64>()
                })
                .collect()
        })
        .collect();
    let mut x = vec![0.0f32; n * 28 * 28];
    let mut y = vec![0.0f32; n];
    for i in 0..n {
        let class = rng.below(10);
        let (dy, dx) = (rng.below(7) as i64 - 3, rng.below(7) as i64 - 3);
        let contrast = rng.uniform(0.5, 1.0);
        y[i] = class as f32;
        for p in 0..28 * 28 {
            let (sy, sx) = ((p / 28) as i64 - dy, (p % 28) as i64 - dx);
            let base = if (0..28).contains(&sy) && (0..28).contains(&sx) {
                templates[class][(sy * 28 + sx) as usize]
            } else {
                0.0
            };
            x[i * 784 + p] = (base * contrast * 0.5 + 0.25 * rng.normal()).clamp(0.0, 1.0) as f32;
        }
    }
    (
        ArrayD::from_shape_vec(IxDyn(&[n, 28, 28, 1]), x).expect("shape"),
        ArrayD::from_shape_vec(IxDyn(&[n]), y).expect("shape"),
    )
}

/// Géron's `generate_time_series(7000, 51)`: two sines plus noise; inputs are
/// the first 50 steps, the target the 51st.
fn series() -> (ArrayD<f32>, ArrayD<f32>) {
    let (n, steps) = (7_000, 51);
    let mut rng = SplitMix64::new(42);
    let mut x = vec![0.0f32; n * 50];
    let mut y = vec![0.0f32; n];
    for i in 0..n {
        let (f1, f2, o1, o2) = (
            rng.next_f64(),
            rng.next_f64(),
            rng.next_f64(),
            rng.next_f64(),
        );
        for t in 0..steps {
            let time = t as f64 / (steps - 1) as f64;
            let v = 0.5 * ((time - o1) * (f1 * 10.0 + 10.0)).sin()
                + 0.2 * ((time - o2) * (f2 * 20.0 + 20.0)).sin()
                + 0.1 * (rng.next_f64() - 0.5);
            if t < 50 {
                x[i * 50 + t] = v as f32;
            } else {
                y[i] = v as f32;
            }
        }
    }
    (
        ArrayD::from_shape_vec(IxDyn(&[n, 50, 1]), x).expect("shape"),
        ArrayD::from_shape_vec(IxDyn(&[n, 1]), y).expect("shape"),
    )
}

fn dnn() -> Sequential<f32> {
    let mut m = Sequential::new(&[22]).with_seed(42);
    m.add(DenseConfig::new(64).with_activation(Activation::Relu))
        .expect("valid");
    m.add(DropoutConfig::new(0.2)).expect("valid");
    m.add(DenseConfig::new(32).with_activation(Activation::Relu))
        .expect("valid");
    m.add(DropoutConfig::new(0.2)).expect("valid");
    m.add(DenseConfig::new(1).with_activation(Activation::Sigmoid))
        .expect("valid");
    m.compile(
        Adam::new(1e-3),
        Loss::BinaryCrossentropy,
        &[Metric::Accuracy],
    )
    .expect("valid");
    m
}

fn cnn() -> Sequential<f32> {
    let mut m = Sequential::new(&[28, 28, 1]).with_seed(42);
    let conv = |f| {
        Conv2DConfig::new(f, 3)
            .with_strides(2)
            .with_padding(Padding::Same)
            .with_activation(Activation::Relu)
    };
    m.add(conv(16)).expect("valid");
    m.add(conv(8)).expect("valid");
    m.add(LayerSpec::Flatten).expect("valid");
    m.add(DenseConfig::new(30).with_activation(Activation::Relu))
        .expect("valid");
    m.add(DenseConfig::new(20).with_activation(Activation::Relu))
        .expect("valid");
    m.add(DenseConfig::new(10).with_activation(Activation::Softmax))
        .expect("valid");
    m.compile(
        Adam::default(),
        Loss::SparseCategoricalCrossentropy,
        &[Metric::Accuracy],
    )
    .expect("valid");
    m
}

fn recurrent(lstm: bool) -> Sequential<f32> {
    let mut m = Sequential::new(&[50, 1]).with_seed(42);
    let cell = |c: RecurrentConfig| {
        if lstm {
            LayerSpec::Lstm(c)
        } else {
            LayerSpec::SimpleRnn(c)
        }
    };
    m.add(cell(RecurrentConfig::new(20).with_return_sequences(true)))
        .expect("valid");
    m.add(cell(RecurrentConfig::new(20))).expect("valid");
    m.add(DenseConfig::new(1)).expect("valid");
    m.compile(Adam::default(), Loss::MeanSquaredError, &[])
        .expect("valid");
    m
}

fn run(
    job: &str,
    mut model: Sequential<f32>,
    x: &ArrayD<f32>,
    y: &ArrayD<f32>,
    batch: usize,
    epochs: usize,
) {
    let mut timer = EpochTimer {
        last: Instant::now(),
        times: Vec::new(),
    };
    let config = FitConfig::new(epochs, batch).with_seed(42);
    let history = model.fit(x, y, &config, &mut [&mut timer]).expect("fit");
    let timed = if timer.times.len() > 1 {
        &timer.times[1..]
    } else {
        &timer.times[..]
    };
    let s_per_epoch = median(timed);
    let steps = x.shape()[0].div_ceil(batch);
    let mut predict = Vec::new();
    for pb in [256, 1024] {
        let start = Instant::now();
        model.predict(x, pb).expect("predict");
        predict.push((pb, x.shape()[0] as f64 / start.elapsed().as_secs_f64()));
    }
    let last: Vec<String> = history
        .history
        .iter()
        .map(|(k, v)| format!("{k} {:.4}", v[v.len() - 1]))
        .collect();
    println!(
        "{job:8} batch {batch:4}  epochs {:?} s  median {s_per_epoch:.3} s/epoch  {:.2} ms/step  predict/s {}  [{}]",
        timer.times.iter().map(|t| (t * 1000.0).round() / 1000.0).collect::<Vec<_>>(),
        1000.0 * s_per_epoch / steps as f64,
        predict.iter().map(|(b, r)| format!("b{b}: {r:.0}")).collect::<Vec<_>>().join(", "),
        last.join(", ")
    );
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let mut jobs = "dnn256,dnn32,cnn,rnn,lstm".to_owned();
    let mut epochs = 3;
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--epochs" {
            epochs = args
                .get(i + 1)
                .and_then(|v| v.parse().ok())
                .expect("--epochs N");
            i += 1;
        } else {
            jobs = args[i].clone();
        }
        i += 1;
    }
    println!("threads: rayon {}", rayon::current_num_threads());
    for job in jobs.split(',') {
        match job {
            "dnn256" | "dnn32" => {
                let (x, y) = tabular();
                run(
                    job,
                    dnn(),
                    &x,
                    &y,
                    if job == "dnn256" { 256 } else { 32 },
                    epochs,
                );
            }
            "cnn" => {
                let (x, y) = images();
                run(job, cnn(), &x, &y, 256, epochs);
            }
            "rnn" | "lstm" => {
                let (x, y) = series();
                run(job, recurrent(job == "lstm"), &x, &y, 32, epochs);
            }
            other => panic!("unknown job {other}"),
        }
    }
}
