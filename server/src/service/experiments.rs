//! Experiment operations: checks, then the store.

use ferroflow_protocol::messages::experiments::*;
use ferroflow_protocol::messages::Empty;
use ferroflow_protocol::ExperimentTag;

use super::validation::{self, required_str};
use super::{now_ms, page_token, search, TrackingService};
use crate::error::MlflowError;
use crate::store::{ExperimentSearch, NewExperiment};

/// Parses an experiment id; ids that are not integers name no experiment (as MLflow's
/// SQL store finds nothing for them).
pub(super) fn parse_experiment_id(id: &str) -> Result<i64, MlflowError> {
    id.trim()
        .parse()
        .map_err(|_| MlflowError::not_found(format!("No Experiment with id={id} exists")))
}

impl TrackingService {
    /// `experiments/create`.
    pub async fn create_experiment(
        &self,
        req: CreateExperiment,
    ) -> Result<CreateExperimentResponse, MlflowError> {
        let name = required_str(req.name, "name")?;
        validation::validate_experiment_name(&name)?;
        for tag in &req.tags {
            validation::validate_experiment_tag(tag)?;
        }
        let artifact_location = req.artifact_location.filter(|l| !l.is_empty());
        if let Some(location) = &artifact_location {
            if location.starts_with("runs:") {
                return Err(MlflowError::invalid(format!(
                    "Artifact location cannot be a runs:/ URI. Given: '{location}'"
                )));
            }
        }
        let id = self
            .store
            .create_experiment(NewExperiment {
                name,
                artifact_location,
                tags: req.tags,
                creation_time: now_ms(),
            })
            .await?;
        Ok(CreateExperimentResponse {
            experiment_id: id.to_string(),
        })
    }

    /// `experiments/get`.
    pub async fn get_experiment(
        &self,
        req: ExperimentIdRequest,
    ) -> Result<GetExperimentResponse, MlflowError> {
        let id = parse_experiment_id(&required_str(req.experiment_id, "experiment_id")?)?;
        let experiment = self.store.get_experiment(id).await?;
        Ok(GetExperimentResponse { experiment })
    }

    /// `experiments/get-by-name`.
    pub async fn get_experiment_by_name(
        &self,
        req: GetExperimentByName,
    ) -> Result<GetExperimentResponse, MlflowError> {
        let name = required_str(req.experiment_name, "experiment_name")?;
        match self.store.get_experiment_by_name(&name).await? {
            Some(experiment) => Ok(GetExperimentResponse { experiment }),
            None => Err(MlflowError::not_found(format!(
                "Could not find experiment with name '{name}'"
            ))),
        }
    }

    /// `experiments/delete`.
    pub async fn delete_experiment(&self, req: ExperimentIdRequest) -> Result<Empty, MlflowError> {
        let id = parse_experiment_id(&required_str(req.experiment_id, "experiment_id")?)?;
        self.store.delete_experiment(id, now_ms()).await?;
        Ok(Empty {})
    }

    /// `experiments/restore`.
    pub async fn restore_experiment(&self, req: ExperimentIdRequest) -> Result<Empty, MlflowError> {
        let id = parse_experiment_id(&required_str(req.experiment_id, "experiment_id")?)?;
        self.store.restore_experiment(id, now_ms()).await?;
        Ok(Empty {})
    }

    /// `experiments/update`: rename.
    pub async fn update_experiment(&self, req: UpdateExperiment) -> Result<Empty, MlflowError> {
        let id = parse_experiment_id(&required_str(req.experiment_id, "experiment_id")?)?;
        if let Some(name) = req.new_name.filter(|n| !n.is_empty()) {
            validation::validate_experiment_name(&name)?;
            self.store.rename_experiment(id, &name, now_ms()).await?;
        }
        Ok(Empty {})
    }

    /// `experiments/search`.
    pub async fn search_experiments(
        &self,
        req: SearchExperiments,
    ) -> Result<SearchExperimentsResponse, MlflowError> {
        let max_results = validation::max_results(req.max_results, "max_results")?;
        let filter = search::parse_experiment_filter(req.filter.as_deref().unwrap_or(""))?;
        let order_by = search::parse_experiment_order_by(&req.order_by)?;
        let offset = page_token::decode(req.page_token.as_deref())?;
        let page = self
            .store
            .search_experiments(&ExperimentSearch {
                filter,
                order_by,
                view: req.view_type.unwrap_or_default(),
                max_results,
                offset,
            })
            .await?;
        Ok(SearchExperimentsResponse {
            experiments: page.items,
            next_page_token: page.next_offset.map(page_token::encode),
        })
    }

    /// `experiments/set-experiment-tag`.
    pub async fn set_experiment_tag(&self, req: SetExperimentTag) -> Result<Empty, MlflowError> {
        let id = parse_experiment_id(&required_str(req.experiment_id, "experiment_id")?)?;
        let tag = ExperimentTag {
            key: required_str(req.key, "key")?,
            value: validation::required(req.value, "value")?,
        };
        validation::validate_experiment_tag(&tag)?;
        self.store.set_experiment_tag(id, &tag).await?;
        Ok(Empty {})
    }

    /// `experiments/delete-experiment-tag`.
    pub async fn delete_experiment_tag(
        &self,
        req: DeleteExperimentTag,
    ) -> Result<Empty, MlflowError> {
        let id = parse_experiment_id(&required_str(req.experiment_id, "experiment_id")?)?;
        let key = required_str(req.key, "key")?;
        self.store.delete_experiment_tag(id, &key).await?;
        Ok(Empty {})
    }
}
