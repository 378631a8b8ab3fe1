//! HTTP handlers of the metric-history endpoints.

use axum::extract::State;
use axum::Json;
use ferroflow_protocol::messages::metrics::*;

use super::extract::MlflowRequest;
use crate::error::MlflowError;
use crate::AppState;

type Reply<T> = Result<Json<T>, MlflowError>;

pub async fn get_history(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<GetMetricHistory>,
) -> Reply<GetMetricHistoryResponse> {
    state.tracking.get_metric_history(req).await.map(Json)
}

pub async fn get_history_bulk_interval(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<GetMetricHistoryBulkInterval>,
) -> Reply<GetMetricHistoryBulkIntervalResponse> {
    state
        .tracking
        .get_metric_history_bulk_interval(req)
        .await
        .map(Json)
}
