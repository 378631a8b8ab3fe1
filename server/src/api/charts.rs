//! HTTP handler of ferroflow's sampled-history endpoint for the dashboard's charts.

use axum::extract::State;
use axum::Json;
use ferroflow_protocol::messages::charts::{SampledHistory, SampledHistoryResponse};

use super::extract::MlflowRequest;
use crate::error::MlflowError;
use crate::AppState;

pub async fn sampled_history(
    State(state): State<AppState>,
    MlflowRequest(req): MlflowRequest<SampledHistory>,
) -> Result<Json<SampledHistoryResponse>, MlflowError> {
    state.tracking.sampled_history(req).await.map(Json)
}
