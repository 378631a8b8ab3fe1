//! The tracking API's calls as typed methods of [`Client`]: experiments, runs, the data a
//! run logs, and metric histories. Each is one MLflow endpoint, named after
//! `MlflowClient`'s method; the transport (retries, auth, errors) lives in the parent
//! module.

use ferroflow_protocol::messages::experiments::{
    CreateExperiment, CreateExperimentResponse, DeleteExperimentTag, ExperimentIdRequest,
    GetExperimentResponse, SearchExperiments, SearchExperimentsResponse, SetExperimentTag,
    UpdateExperiment,
};
use ferroflow_protocol::messages::metrics::GetMetricHistoryResponse;
use ferroflow_protocol::messages::runs::{
    CreateRun, DeleteTag, LogInputs, LogMetric, LogParam, RunIdRequest, RunResponse, SearchRuns,
    SearchRunsResponse, SetTag, UpdateRun, UpdateRunResponse,
};
use ferroflow_protocol::messages::Empty;
use ferroflow_protocol::{
    DatasetInput, Experiment, ExperimentTag, Metric, Param, Run, RunInfo, RunStatus, RunTag,
};

use super::{log_batch_body, now_millis, Client};
use crate::error::Result;
use crate::run::{ActiveRun, StartRun};

impl Client {
    // ----- experiments -------------------------------------------------------------

    /// Creates an experiment and returns its id (`experiments/create`).
    pub fn create_experiment(
        &self,
        name: &str,
        artifact_location: Option<&str>,
        tags: &[ExperimentTag],
    ) -> Result<String> {
        let request = CreateExperiment {
            name: Some(name.to_string()),
            artifact_location: artifact_location.map(str::to_string),
            tags: tags.to_vec(),
        };
        let response: CreateExperimentResponse = self.post("experiments/create", &request)?;
        Ok(response.experiment_id)
    }

    /// Returns an experiment by id (`experiments/get`).
    pub fn get_experiment(&self, experiment_id: &str) -> Result<Experiment> {
        let response: GetExperimentResponse =
            self.get("experiments/get", &[("experiment_id", experiment_id)])?;
        Ok(response.experiment)
    }

    /// Returns an experiment by name, or `None` when no experiment has that name
    /// (`experiments/get-by-name`).
    pub fn get_experiment_by_name(&self, name: &str) -> Result<Option<Experiment>> {
        match self
            .get::<GetExperimentResponse>("experiments/get-by-name", &[("experiment_name", name)])
        {
            Ok(response) => Ok(Some(response.experiment)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Returns the id of the experiment named `name`, creating it if needed (as
    /// `mlflow.set_experiment` does). Safe against a concurrent creator.
    pub fn get_or_create_experiment(&self, name: &str) -> Result<String> {
        if let Some(experiment) = self.get_experiment_by_name(name)? {
            return Ok(experiment.experiment_id);
        }
        match self.create_experiment(name, None, &[]) {
            Ok(id) => Ok(id),
            Err(e)
                if e.error_code() == Some(ferroflow_protocol::ErrorCode::ResourceAlreadyExists) =>
            {
                self.get_experiment_by_name(name)?
                    .map(|experiment| experiment.experiment_id)
                    .ok_or(e)
            }
            Err(e) => Err(e),
        }
    }

    /// Soft-deletes an experiment (`experiments/delete`).
    pub fn delete_experiment(&self, experiment_id: &str) -> Result<()> {
        self.experiment_call("experiments/delete", experiment_id)
    }

    /// Restores a soft-deleted experiment (`experiments/restore`).
    pub fn restore_experiment(&self, experiment_id: &str) -> Result<()> {
        self.experiment_call("experiments/restore", experiment_id)
    }

    fn experiment_call(&self, endpoint: &str, experiment_id: &str) -> Result<()> {
        let request = ExperimentIdRequest {
            experiment_id: Some(experiment_id.to_string()),
        };
        self.post::<_, Empty>(endpoint, &request).map(drop)
    }

    /// Renames an experiment (`experiments/update`).
    pub fn rename_experiment(&self, experiment_id: &str, new_name: &str) -> Result<()> {
        let request = UpdateExperiment {
            experiment_id: Some(experiment_id.to_string()),
            new_name: Some(new_name.to_string()),
        };
        self.post::<_, Empty>("experiments/update", &request)
            .map(drop)
    }

    /// Returns one page of experiments (`experiments/search`); pass the response's
    /// `next_page_token` as `page_token` for the next.
    pub fn search_experiments(
        &self,
        request: &SearchExperiments,
    ) -> Result<SearchExperimentsResponse> {
        self.post("experiments/search", request)
    }

    /// Sets a tag on an experiment (`experiments/set-experiment-tag`).
    pub fn set_experiment_tag(&self, experiment_id: &str, key: &str, value: &str) -> Result<()> {
        let request = SetExperimentTag {
            experiment_id: Some(experiment_id.to_string()),
            key: Some(key.to_string()),
            value: Some(value.to_string()),
        };
        self.post::<_, Empty>("experiments/set-experiment-tag", &request)
            .map(drop)
    }

    /// Deletes a tag of an experiment (`experiments/delete-experiment-tag`).
    pub fn delete_experiment_tag(&self, experiment_id: &str, key: &str) -> Result<()> {
        let request = DeleteExperimentTag {
            experiment_id: Some(experiment_id.to_string()),
            key: Some(key.to_string()),
        };
        self.post::<_, Empty>("experiments/delete-experiment-tag", &request)
            .map(drop)
    }

    // ----- runs ----------------------------------------------------------------------

    /// Starts a run and returns its guard, which logs in the background and ends the
    /// run when dropped. See [`StartRun`] for the options.
    pub fn start_run(&self, options: StartRun) -> Result<ActiveRun> {
        ActiveRun::start(self.clone(), options)
    }

    /// Creates a run (`runs/create`) without a guard; prefer
    /// [`start_run`](Client::start_run).
    pub fn create_run(&self, request: &CreateRun) -> Result<Run> {
        let response: RunResponse = self.post("runs/create", request)?;
        Ok(response.run)
    }

    /// Returns a run with its latest metrics, params, tags and inputs (`runs/get`).
    pub fn get_run(&self, run_id: &str) -> Result<Run> {
        let response: RunResponse = self.get("runs/get", &[("run_id", run_id)])?;
        Ok(response.run)
    }

    /// Updates a run's status, end time or name (`runs/update`).
    pub fn update_run(&self, request: &UpdateRun) -> Result<RunInfo> {
        let response: UpdateRunResponse = self.post("runs/update", request)?;
        Ok(response.run_info)
    }

    /// Ends a run with `status` at the current time (MLflow's `set_terminated`).
    pub fn set_terminated(&self, run_id: &str, status: RunStatus) -> Result<RunInfo> {
        self.update_run(&UpdateRun {
            run_id: Some(run_id.to_string()),
            status: Some(status),
            end_time: Some(now_millis()),
            ..UpdateRun::default()
        })
    }

    /// Soft-deletes a run (`runs/delete`).
    pub fn delete_run(&self, run_id: &str) -> Result<()> {
        self.run_call("runs/delete", run_id)
    }

    /// Restores a soft-deleted run (`runs/restore`).
    pub fn restore_run(&self, run_id: &str) -> Result<()> {
        self.run_call("runs/restore", run_id)
    }

    fn run_call(&self, endpoint: &str, run_id: &str) -> Result<()> {
        let request = RunIdRequest {
            run_id: Some(run_id.to_string()),
            run_uuid: None,
        };
        self.post::<_, Empty>(endpoint, &request).map(drop)
    }

    /// Returns one page of runs matching MLflow's filter language, e.g.
    /// `metrics.loss < 0.1 and params.lr = '0.01'` (`runs/search`).
    pub fn search_runs(&self, request: &SearchRuns) -> Result<SearchRunsResponse> {
        self.post("runs/search", request)
    }

    /// Returns every run of `experiment_ids` matching `filter`, following page tokens.
    pub fn search_all_runs(&self, experiment_ids: &[&str], filter: &str) -> Result<Vec<Run>> {
        let mut request = SearchRuns {
            experiment_ids: experiment_ids.iter().map(|id| id.to_string()).collect(),
            filter: (!filter.is_empty()).then(|| filter.to_string()),
            ..SearchRuns::default()
        };
        let mut runs = Vec::new();
        loop {
            let page = self.search_runs(&request)?;
            runs.extend(page.runs);
            match page.next_page_token {
                Some(token) if !token.is_empty() => request.page_token = Some(token),
                _ => return Ok(runs),
            }
        }
    }

    /// Logs one param right away (`runs/log-parameter`).
    pub fn log_param(&self, run_id: &str, key: &str, value: &str) -> Result<()> {
        let request = LogParam {
            run_id: Some(run_id.to_string()),
            key: Some(key.to_string()),
            value: Some(value.to_string()),
            ..LogParam::default()
        };
        self.post::<_, Empty>("runs/log-parameter", &request)
            .map(drop)
    }

    /// Logs one metric point right away (`runs/log-metric`); prefer
    /// [`ActiveRun::log_metric`], which batches.
    pub fn log_metric(&self, run_id: &str, metric: &Metric) -> Result<()> {
        let request = LogMetric {
            run_id: Some(run_id.to_string()),
            key: Some(metric.key.clone()),
            value: Some(metric.value),
            timestamp: Some(metric.timestamp),
            step: Some(metric.step),
            ..LogMetric::default()
        };
        self.post::<_, Empty>("runs/log-metric", &request).map(drop)
    }

    /// Sets a tag on a run right away (`runs/set-tag`).
    pub fn set_tag(&self, run_id: &str, key: &str, value: &str) -> Result<()> {
        let request = SetTag {
            run_id: Some(run_id.to_string()),
            key: Some(key.to_string()),
            value: Some(value.to_string()),
            ..SetTag::default()
        };
        self.post::<_, Empty>("runs/set-tag", &request).map(drop)
    }

    /// Deletes a tag of a run (`runs/delete-tag`).
    pub fn delete_tag(&self, run_id: &str, key: &str) -> Result<()> {
        let request = DeleteTag {
            run_id: Some(run_id.to_string()),
            key: Some(key.to_string()),
        };
        self.post::<_, Empty>("runs/delete-tag", &request).map(drop)
    }

    /// Logs metrics, params and tags in one all-or-nothing request (`runs/log-batch`).
    /// The caller keeps within MLflow's limits (1000 metrics, 100 params, 100 tags,
    /// 1000 items); [`ActiveRun`] does so by itself.
    pub fn log_batch(
        &self,
        run_id: &str,
        metrics: &[Metric],
        params: &[Param],
        tags: &[RunTag],
    ) -> Result<()> {
        self.post_bytes::<Empty>(
            "runs/log-batch",
            log_batch_body(run_id, metrics, params, tags)?,
        )
        .map(drop)
    }

    /// Records datasets the run used (`runs/log-inputs`).
    pub fn log_inputs(&self, run_id: &str, datasets: &[DatasetInput]) -> Result<()> {
        let request = LogInputs {
            run_id: Some(run_id.to_string()),
            datasets: datasets.to_vec(),
            ..LogInputs::default()
        };
        self.post::<_, Empty>("runs/log-inputs", &request).map(drop)
    }

    /// Returns every point of one metric of a run, in step order
    /// (`metrics/get-history`, following page tokens).
    pub fn get_metric_history(&self, run_id: &str, key: &str) -> Result<Vec<Metric>> {
        let mut points = Vec::new();
        let mut page_token: Option<String> = None;
        loop {
            let mut query = vec![("run_id", run_id), ("metric_key", key)];
            if let Some(token) = page_token.as_deref() {
                query.push(("page_token", token));
            }
            let page: GetMetricHistoryResponse = self.get("metrics/get-history", &query)?;
            points.extend(page.metrics);
            match page.next_page_token {
                Some(token) if !token.is_empty() => page_token = Some(token),
                _ => return Ok(points),
            }
        }
    }
}
