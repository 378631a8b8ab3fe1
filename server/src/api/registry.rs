//! HTTP handlers of the model-registry endpoints (`ModelRegistryService`).

use axum::extract::State;
use axum::Json;
use ferroflow_protocol::messages::registry::*;
use ferroflow_protocol::messages::Empty;

use super::extract::MlflowRequest;
use crate::error::MlflowError;
use crate::AppState;

type Reply<T> = Result<Json<T>, MlflowError>;

pub async fn create_registered_model(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<CreateRegisteredModel>,
) -> Reply<RegisteredModelResponse> {
    state.tracking.create_registered_model(req).await.map(Json)
}

pub async fn get_registered_model(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<RegisteredModelName>,
) -> Reply<RegisteredModelResponse> {
    state.tracking.get_registered_model(req).await.map(Json)
}

pub async fn rename_registered_model(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<RenameRegisteredModel>,
) -> Reply<RegisteredModelResponse> {
    state.tracking.rename_registered_model(req).await.map(Json)
}

pub async fn update_registered_model(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<UpdateRegisteredModel>,
) -> Reply<RegisteredModelResponse> {
    state.tracking.update_registered_model(req).await.map(Json)
}

pub async fn delete_registered_model(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<RegisteredModelName>,
) -> Reply<Empty> {
    state.tracking.delete_registered_model(req).await.map(Json)
}

pub async fn search_registered_models(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<SearchRegistry>,
) -> Reply<SearchRegisteredModelsResponse> {
    state.tracking.search_registered_models(req).await.map(Json)
}

pub async fn get_latest_versions(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<GetLatestVersions>,
) -> Reply<ModelVersionsResponse> {
    state.tracking.get_latest_versions(req).await.map(Json)
}

pub async fn set_registered_model_tag(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<SetRegisteredModelTag>,
) -> Reply<Empty> {
    state.tracking.set_registered_model_tag(req).await.map(Json)
}

pub async fn delete_registered_model_tag(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<DeleteRegisteredModelTag>,
) -> Reply<Empty> {
    state
        .tracking
        .delete_registered_model_tag(req)
        .await
        .map(Json)
}

pub async fn set_alias(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<SetRegisteredModelAlias>,
) -> Reply<Empty> {
    state
        .tracking
        .set_registered_model_alias(req)
        .await
        .map(Json)
}

pub async fn delete_alias(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<RegisteredModelAliasRequest>,
) -> Reply<Empty> {
    state
        .tracking
        .delete_registered_model_alias(req)
        .await
        .map(Json)
}

pub async fn get_by_alias(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<RegisteredModelAliasRequest>,
) -> Reply<ModelVersionResponse> {
    state
        .tracking
        .get_model_version_by_alias(req)
        .await
        .map(Json)
}

pub async fn create_model_version(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<CreateModelVersion>,
) -> Reply<ModelVersionResponse> {
    state.tracking.create_model_version(req).await.map(Json)
}

pub async fn get_model_version(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<ModelVersionName>,
) -> Reply<ModelVersionResponse> {
    state.tracking.get_model_version(req).await.map(Json)
}

pub async fn update_model_version(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<UpdateModelVersion>,
) -> Reply<ModelVersionResponse> {
    state.tracking.update_model_version(req).await.map(Json)
}

pub async fn transition_stage(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<TransitionModelVersionStage>,
) -> Reply<ModelVersionResponse> {
    state
        .tracking
        .transition_model_version_stage(req)
        .await
        .map(Json)
}

pub async fn delete_model_version(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<ModelVersionName>,
) -> Reply<Empty> {
    state.tracking.delete_model_version(req).await.map(Json)
}

pub async fn get_download_uri(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<ModelVersionName>,
) -> Reply<GetModelVersionDownloadUriResponse> {
    state
        .tracking
        .get_model_version_download_uri(req)
        .await
        .map(Json)
}

pub async fn search_model_versions(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<SearchRegistry>,
) -> Reply<ModelVersionsResponse> {
    state.tracking.search_model_versions(req).await.map(Json)
}

pub async fn set_model_version_tag(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<SetModelVersionTag>,
) -> Reply<Empty> {
    state.tracking.set_model_version_tag(req).await.map(Json)
}

pub async fn delete_model_version_tag(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<DeleteModelVersionTag>,
) -> Reply<Empty> {
    state.tracking.delete_model_version_tag(req).await.map(Json)
}
