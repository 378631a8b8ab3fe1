//! `GET .../ferroflow/events`: the dashboard's live updates as Server-Sent Events.
//!
//! Every event is an unnamed (`message`) event whose data is one JSON object:
//! `{"type":"run","run":RunInfo}` or
//! `{"type":"metrics","run_id":..,"experiment_id":..,"metrics":[Metric]}`; when the
//! stream fell behind and skipped events it sends `{"type":"lagged"}` so the page
//! reloads what it shows. `experiment_id` (repeatable) limits the stream to those
//! experiments; without it every experiment's events are sent.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{stream, Stream};
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use crate::service::events::LiveEvent;
use crate::service::TrackingService;
use crate::AppState;

/// Idle time after which a comment keeps proxies from closing the stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Runs whose experiment one stream remembers; past this it forgets them all and looks
/// them up again, so a long-lived dashboard on a busy server holds bounded memory.
const REMEMBERED_RUNS: usize = 10_000;

pub async fn events(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let experiments: HashSet<String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .filter(|(name, _)| name == "experiment_id")
            .map(|(_, value)| value.into_owned())
            .collect();
    let experiments = Arc::new(experiments);
    let tracking = state.tracking.clone();
    // Metric events carry only the run; each run's experiment is looked up once.
    let start = (tracking.events().subscribe(), HashMap::new());
    let stream = stream::unfold(start, move |(mut receiver, mut run_experiments)| {
        let (tracking, experiments) = (tracking.clone(), experiments.clone());
        async move {
            loop {
                let data = match receiver.recv().await {
                    Ok(event) => render(&tracking, &experiments, &mut run_experiments, event).await,
                    Err(RecvError::Lagged(_)) => Some(json!({"type": "lagged"}).to_string()),
                    Err(RecvError::Closed) => return None,
                };
                if let Some(data) = data {
                    let event = Ok(Event::default().data(data));
                    return Some((event, (receiver, run_experiments)));
                }
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// Returns the JSON of `event` if it belongs to one of `experiments` (all when empty).
async fn render(
    tracking: &TrackingService,
    experiments: &HashSet<String>,
    run_experiments: &mut HashMap<String, Option<String>>,
    event: Arc<LiveEvent>,
) -> Option<String> {
    let wanted = |id: &str| experiments.is_empty() || experiments.contains(id);
    match &*event {
        LiveEvent::Run(info) => {
            forget_if_full(run_experiments);
            run_experiments.insert(info.run_id.clone(), Some(info.experiment_id.clone()));
            wanted(&info.experiment_id).then(|| json!({"type": "run", "run": info}).to_string())
        }
        LiveEvent::Metrics { run_id, metrics } => {
            if !run_experiments.contains_key(run_id) {
                forget_if_full(run_experiments);
                let experiment = tracking.store().get_run_info(run_id).await.ok();
                run_experiments.insert(run_id.clone(), experiment.map(|info| info.experiment_id));
            }
            let experiment_id = run_experiments.get(run_id)?.as_deref()?;
            wanted(experiment_id).then(|| {
                json!({
                    "type": "metrics",
                    "run_id": run_id,
                    "experiment_id": experiment_id,
                    "metrics": metrics,
                })
                .to_string()
            })
        }
    }
}

/// Empties the run → experiment memory of a stream once it holds [`REMEMBERED_RUNS`].
fn forget_if_full(run_experiments: &mut HashMap<String, Option<String>>) {
    if run_experiments.len() >= REMEMBERED_RUNS {
        run_experiments.clear();
    }
}
