//! Run operations: checks, system tags, then the store.

use ferroflow_protocol::messages::runs::*;
use ferroflow_protocol::messages::Empty;
use ferroflow_protocol::{Metric, Param, RunInfo, RunTag};

use super::events::LiveEvent;
use super::experiments::parse_experiment_id;
use super::validation::{self, required, required_str};
use super::{names, new_uuid, now_ms, page_token, search, TrackingService};
use crate::error::MlflowError;
use crate::store::{NewRun, RunSearch, RunUpdate};

const RUN_NAME_TAG: &str = "mlflow.runName";
const USER_TAG: &str = "mlflow.user";
const MODEL_HISTORY_TAG: &str = "mlflow.log-model.history";

impl TrackingService {
    /// Tells live dashboards about a run's new points, if any dashboard watches.
    fn publish_metrics(&self, run_id: String, metrics: Vec<Metric>) {
        if !metrics.is_empty() && self.events.has_subscribers() {
            self.events.publish(LiveEvent::Metrics { run_id, metrics });
        }
    }

    /// Tells live dashboards a run was created or changed.
    fn publish_run(&self, info: &RunInfo) {
        if self.events.has_subscribers() {
            self.events.publish(LiveEvent::Run(info.clone()));
        }
    }

    /// Tells live dashboards a run's lifecycle changed (deleted or restored).
    async fn publish_run_info(&self, run_id: &str) {
        if self.events.has_subscribers() {
            match self.store.get_run_info(run_id).await {
                Ok(info) => self.events.publish(LiveEvent::Run(info)),
                Err(err) => tracing::warn!(run_id, error = %err, "live update skipped"),
            }
        }
    }

    /// `runs/create`.
    pub async fn create_run(&self, req: CreateRun) -> Result<RunResponse, MlflowError> {
        let experiment_id = parse_experiment_id(
            req.experiment_id
                .as_deref()
                .filter(|e| !e.is_empty())
                .unwrap_or("0"),
        )?;
        for tag in &req.tags {
            validation::validate_tag(tag)?;
        }
        let tag_name = req
            .tags
            .iter()
            .find(|t| t.key == RUN_NAME_TAG)
            .map(|t| t.value.clone());
        let run_name = match (req.run_name.filter(|n| !n.is_empty()), tag_name) {
            (Some(name), Some(tag)) if name != tag => {
                return Err(MlflowError::invalid(format!(
                    "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with \
                     different values (run_name='{name}', mlflow.runName='{tag}')."
                )));
            }
            (Some(name), _) => name,
            (None, Some(tag)) => tag,
            (None, None) => names::generate_run_name(),
        };
        let user_id = req
            .user_id
            .filter(|u| !u.is_empty())
            .or_else(|| {
                req.tags
                    .iter()
                    .find(|t| t.key == USER_TAG)
                    .map(|t| t.value.clone())
            })
            // What MLflow's server records when the client names no user.
            .unwrap_or_else(|| "unknown".to_string());
        let mut tags = req.tags;
        if !tags.iter().any(|t| t.key == RUN_NAME_TAG) {
            tags.push(RunTag {
                key: RUN_NAME_TAG.into(),
                value: run_name.clone(),
            });
        }
        let run = self
            .store
            .create_run(NewRun {
                run_id: new_uuid(),
                experiment_id,
                user_id,
                run_name,
                start_time: req.start_time.unwrap_or_else(now_ms),
                tags,
            })
            .await?;
        self.publish_run(&run.info);
        Ok(RunResponse { run })
    }

    /// `runs/get`.
    pub async fn get_run(&self, req: RunIdRequest) -> Result<RunResponse, MlflowError> {
        let run_id = validation::run_id(req.run_id, req.run_uuid)?;
        Ok(RunResponse {
            run: self.store.get_run(&run_id).await?,
        })
    }

    /// `runs/update`.
    pub async fn update_run(&self, req: UpdateRun) -> Result<UpdateRunResponse, MlflowError> {
        let run_id = validation::run_id(req.run_id, req.run_uuid)?;
        let update = RunUpdate {
            status: req.status,
            end_time: req.end_time,
            run_name: req.run_name.filter(|n| !n.is_empty()),
        };
        let run_info = self.store.update_run(&run_id, &update).await?;
        self.publish_run(&run_info);
        Ok(UpdateRunResponse { run_info })
    }

    /// `runs/delete`.
    pub async fn delete_run(&self, req: RunIdRequest) -> Result<Empty, MlflowError> {
        let run_id = validation::run_id(req.run_id, req.run_uuid)?;
        self.store.delete_run(&run_id, now_ms()).await?;
        self.publish_run_info(&run_id).await;
        Ok(Empty {})
    }

    /// `runs/restore`.
    pub async fn restore_run(&self, req: RunIdRequest) -> Result<Empty, MlflowError> {
        let run_id = validation::run_id(req.run_id, req.run_uuid)?;
        self.store.restore_run(&run_id).await?;
        self.publish_run_info(&run_id).await;
        Ok(Empty {})
    }

    /// `runs/search`.
    pub async fn search_runs(&self, req: SearchRuns) -> Result<SearchRunsResponse, MlflowError> {
        let max_results = validation::max_results(req.max_results, "max_results")?;
        let experiment_ids = req
            .experiment_ids
            .iter()
            // An id that is not an integer matches no run, as in MLflow's SQL store.
            .filter_map(|id| id.trim().parse::<i64>().ok())
            .collect();
        let filter = search::parse_run_filter(req.filter.as_deref().unwrap_or(""))?;
        let order_by = search::parse_run_order_by(&req.order_by)?;
        let offset = page_token::decode(req.page_token.as_deref())?;
        let page = self
            .store
            .search_runs(&RunSearch {
                experiment_ids,
                filter,
                order_by,
                view: req.run_view_type.unwrap_or_default(),
                max_results,
                offset,
            })
            .await?;
        Ok(SearchRunsResponse {
            runs: page.items,
            next_page_token: page.next_offset.map(page_token::encode),
        })
    }

    /// `runs/log-parameter`.
    pub async fn log_param(&self, req: LogParam) -> Result<Empty, MlflowError> {
        let run_id = validation::run_id(req.run_id, req.run_uuid)?;
        let param = Param {
            key: required_str(req.key, "key")?,
            value: required(req.value, "value")?,
        };
        let batch = validation::validate_log_batch(vec![], vec![param], vec![])?;
        self.store.log_batch(&run_id, &batch).await?;
        Ok(Empty {})
    }

    /// `runs/log-metric`.
    pub async fn log_metric(&self, req: LogMetric) -> Result<Empty, MlflowError> {
        let run_id = validation::run_id(req.run_id, req.run_uuid)?;
        let metric = BatchMetric {
            key: Some(required_str(req.key, "key")?),
            value: Some(required(req.value, "value")?),
            timestamp: Some(required(req.timestamp, "timestamp")?),
            step: req.step,
            model_id: req.model_id,
            dataset_name: req.dataset_name,
            dataset_digest: req.dataset_digest,
        };
        let batch = validation::validate_log_batch(vec![metric], vec![], vec![])?;
        self.store.log_batch(&run_id, &batch).await?;
        self.publish_metrics(run_id, batch.metrics);
        Ok(Empty {})
    }

    /// `runs/set-tag`.
    pub async fn set_tag(&self, req: SetTag) -> Result<Empty, MlflowError> {
        let run_id = validation::run_id(req.run_id, req.run_uuid)?;
        let tag = RunTag {
            key: required_str(req.key, "key")?,
            value: required(req.value, "value")?,
        };
        let batch = validation::validate_log_batch(vec![], vec![], vec![tag])?;
        self.store.log_batch(&run_id, &batch).await?;
        Ok(Empty {})
    }

    /// `runs/delete-tag`.
    pub async fn delete_tag(&self, req: DeleteTag) -> Result<Empty, MlflowError> {
        let run_id = required_str(req.run_id, "run_id")?;
        let key = required_str(req.key, "key")?;
        self.store.delete_tag(&run_id, &key).await?;
        Ok(Empty {})
    }

    /// `runs/log-batch`.
    pub async fn log_batch(&self, req: LogBatch) -> Result<Empty, MlflowError> {
        let run_id = required_str(req.run_id, "run_id")?;
        let batch = validation::validate_log_batch(req.metrics, req.params, req.tags)?;
        self.store.log_batch(&run_id, &batch).await?;
        self.publish_metrics(run_id, batch.metrics);
        Ok(Empty {})
    }

    /// `runs/log-inputs`.
    pub async fn log_inputs(&self, req: LogInputs) -> Result<Empty, MlflowError> {
        let run_id = required_str(req.run_id, "run_id")?;
        validation::validate_dataset_inputs(&req.datasets)?;
        self.store
            .log_inputs(&run_id, &req.datasets, &req.models)
            .await?;
        Ok(Empty {})
    }

    /// `runs/log-model`: appends the model to the run's `mlflow.log-model.history` tag,
    /// a JSON list, as MLflow's `record_logged_model` does.
    pub async fn log_model(&self, req: LogModel) -> Result<Empty, MlflowError> {
        let run_id = required_str(req.run_id, "run_id")?;
        let model_json = required_str(req.model_json, "model_json")?;
        let model: serde_json::Value = serde_json::from_str(&model_json).map_err(|_| {
            MlflowError::invalid(format!(
                "Malformed model info. \n {model_json} \n is not a valid JSON."
            ))
        })?;
        let missing: Vec<&str> = ["artifact_path", "flavors", "utc_time_created", "run_id"]
            .into_iter()
            .filter(|field| model.get(field).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(MlflowError::invalid(format!(
                "Model json is missing mandatory fields: {missing:?}"
            )));
        }
        let run = self.store.get_run(&run_id).await?;
        let mut history: Vec<serde_json::Value> = run
            .data
            .tags
            .iter()
            .find(|t| t.key == MODEL_HISTORY_TAG)
            .and_then(|t| serde_json::from_str(&t.value).ok())
            .unwrap_or_default();
        history.push(model);
        let tag = RunTag {
            key: MODEL_HISTORY_TAG.into(),
            value: serde_json::Value::Array(history).to_string(),
        };
        let batch = validation::validate_log_batch(vec![], vec![], vec![tag])?;
        self.store.log_batch(&run_id, &batch).await?;
        Ok(Empty {})
    }
}
