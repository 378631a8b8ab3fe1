//! HTTP handlers of the experiment endpoints.

use axum::extract::State;
use axum::Json;
use ferroflow_protocol::messages::experiments::*;
use ferroflow_protocol::messages::Empty;

use super::extract::MlflowRequest;
use crate::error::MlflowError;
use crate::AppState;

type Reply<T> = Result<Json<T>, MlflowError>;

pub async fn create(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<CreateExperiment>,
) -> Reply<CreateExperimentResponse> {
    state.tracking.create_experiment(req).await.map(Json)
}

pub async fn get(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<ExperimentIdRequest>,
) -> Reply<GetExperimentResponse> {
    state.tracking.get_experiment(req).await.map(Json)
}

pub async fn get_by_name(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<GetExperimentByName>,
) -> Reply<GetExperimentResponse> {
    state.tracking.get_experiment_by_name(req).await.map(Json)
}

pub async fn delete(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<ExperimentIdRequest>,
) -> Reply<Empty> {
    state.tracking.delete_experiment(req).await.map(Json)
}

pub async fn restore(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<ExperimentIdRequest>,
) -> Reply<Empty> {
    state.tracking.restore_experiment(req).await.map(Json)
}

pub async fn update(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<UpdateExperiment>,
) -> Reply<Empty> {
    state.tracking.update_experiment(req).await.map(Json)
}

pub async fn search(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<SearchExperiments>,
) -> Reply<SearchExperimentsResponse> {
    state.tracking.search_experiments(req).await.map(Json)
}

pub async fn set_tag(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<SetExperimentTag>,
) -> Reply<Empty> {
    state.tracking.set_experiment_tag(req).await.map(Json)
}

pub async fn delete_tag(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<DeleteExperimentTag>,
) -> Reply<Empty> {
    state.tracking.delete_experiment_tag(req).await.map(Json)
}
