//! Logs one run into the experiment `quickstart`: a few params and a loss over 100
//! steps.
//!
//! ```sh
//! MLFLOW_TRACKING_URI=http://127.0.0.1:5000 cargo run -p ferroflow-sdk --example quickstart
//! ```

use ferroflow_sdk::{Client, RunStatus, StartRun};

fn main() -> Result<(), ferroflow_sdk::Error> {
    let client = Client::from_env()?;
    let run = client.start_run(
        StartRun::new()
            .experiment_name("quickstart")
            .run_name("quickstart"),
    )?;
    run.log_params([
        ("learning_rate", "0.01"),
        ("batch_size", "32"),
        ("optimizer", "sgd"),
    ])?;
    let mut loss = 2.0;
    for step in 0..100 {
        loss *= 0.97;
        run.log_metric("loss", loss, step)?;
    }
    run.set_tag("dataset", "synthetic")?;
    let run_id = run.run_id().to_string();
    run.end(RunStatus::Finished)?;
    println!("logged run {run_id} to {}", client.tracking_uri());
    Ok(())
}
