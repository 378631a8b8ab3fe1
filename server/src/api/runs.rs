//! HTTP handlers of the run endpoints.

use axum::extract::State;
use axum::Json;
use ferroflow_protocol::messages::runs::*;
use ferroflow_protocol::messages::Empty;

use super::extract::MlflowRequest;
use crate::error::MlflowError;
use crate::AppState;

type Reply<T> = Result<Json<T>, MlflowError>;

pub async fn create(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<CreateRun>,
) -> Reply<RunResponse> {
    state.tracking.create_run(req).await.map(Json)
}

pub async fn get(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<RunIdRequest>,
) -> Reply<RunResponse> {
    state.tracking.get_run(req).await.map(Json)
}

pub async fn update(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<UpdateRun>,
) -> Reply<UpdateRunResponse> {
    state.tracking.update_run(req).await.map(Json)
}

pub async fn delete(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<RunIdRequest>,
) -> Reply<Empty> {
    state.tracking.delete_run(req).await.map(Json)
}

pub async fn restore(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<RunIdRequest>,
) -> Reply<Empty> {
    state.tracking.restore_run(req).await.map(Json)
}

pub async fn search(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<SearchRuns>,
) -> Reply<SearchRunsResponse> {
    state.tracking.search_runs(req).await.map(Json)
}

pub async fn log_param(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<LogParam>,
) -> Reply<Empty> {
    state.tracking.log_param(req).await.map(Json)
}

pub async fn log_metric(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<LogMetric>,
) -> Reply<Empty> {
    state.tracking.log_metric(req).await.map(Json)
}

pub async fn set_tag(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<SetTag>,
) -> Reply<Empty> {
    state.tracking.set_tag(req).await.map(Json)
}

pub async fn delete_tag(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<DeleteTag>,
) -> Reply<Empty> {
    state.tracking.delete_tag(req).await.map(Json)
}

pub async fn log_batch(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<LogBatch>,
) -> Reply<Empty> {
    state.tracking.log_batch(req).await.map(Json)
}

pub async fn log_inputs(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<LogInputs>,
) -> Reply<Empty> {
    state.tracking.log_inputs(req).await.map(Json)
}

pub async fn log_model(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<LogModel>,
) -> Reply<Empty> {
    state.tracking.log_model(req).await.map(Json)
}
