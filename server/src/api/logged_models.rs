//! HTTP handlers of MLflow 3's logged-model endpoints and `runs/outputs`. The model id
//! comes from the path (`/logged-models/{model_id}`), as in MLflow's routes.

use axum::extract::{Path, State};
use axum::Json;
use ferroflow_protocol::messages::logged_models::*;
use ferroflow_protocol::messages::Empty;

use super::extract::MlflowRequest;
use crate::error::MlflowError;
use crate::service::logged_models::ListLoggedModelArtifactsResponse;
use crate::AppState;

type Reply<T> = Result<Json<T>, MlflowError>;

pub async fn create(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<CreateLoggedModel>,
) -> Reply<LoggedModelResponse> {
    state.tracking.create_logged_model(req).await.map(Json)
}

pub async fn get(
    State(state): State<AppState>,
    Path(model_id): Path<String>,
) -> Reply<LoggedModelResponse> {
    state.tracking.get_logged_model(&model_id).await.map(Json)
}

pub async fn finalize(
    State(state): State<AppState>,
    Path(model_id): Path<String>,
    MlflowRequest(req): MlflowRequest<FinalizeLoggedModel>,
) -> Reply<LoggedModelResponse> {
    state
        .tracking
        .finalize_logged_model(&model_id, req)
        .await
        .map(Json)
}

pub async fn delete(State(state): State<AppState>, Path(model_id): Path<String>) -> Reply<Empty> {
    state
        .tracking
        .delete_logged_model(&model_id)
        .await
        .map(Json)
}

pub async fn search(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<SearchLoggedModels>,
) -> Reply<SearchLoggedModelsResponse> {
    state.tracking.search_logged_models(req).await.map(Json)
}

pub async fn set_tags(
    State(state): State<AppState>,
    Path(model_id): Path<String>,
    MlflowRequest(req): MlflowRequest<SetLoggedModelTags>,
) -> Reply<LoggedModelResponse> {
    state
        .tracking
        .set_logged_model_tags(&model_id, req)
        .await
        .map(Json)
}

pub async fn delete_tag(
    State(state): State<AppState>,
    Path((model_id, tag_key)): Path<(String, String)>,
) -> Reply<Empty> {
    state
        .tracking
        .delete_logged_model_tag(&model_id, &tag_key)
        .await
        .map(Json)
}

pub async fn log_params(
    State(state): State<AppState>,
    Path(model_id): Path<String>,
    MlflowRequest(req): MlflowRequest<LogLoggedModelParams>,
) -> Reply<Empty> {
    state
        .tracking
        .log_logged_model_params(&model_id, req)
        .await
        .map(Json)
}

pub async fn list_artifacts(
    State(state): State<AppState>,
    Path(model_id): Path<String>,
    MlflowRequest(req): MlflowRequest<ListLoggedModelArtifacts>,
) -> Reply<ListLoggedModelArtifactsResponse> {
    state
        .tracking
        .list_logged_model_artifacts(&state.artifacts, &model_id, req)
        .await
        .map(Json)
}

pub async fn log_outputs(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<LogOutputs>,
) -> Reply<Empty> {
    state.tracking.log_outputs(req).await.map(Json)
}
