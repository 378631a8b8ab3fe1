//! Metric history reads.

use ferroflow_protocol::messages::metrics::*;

use super::validation::{self, required_str};
use super::{page_token, TrackingService};
use crate::error::MlflowError;
use crate::store::HistoryInterval;

/// Most runs in one bulk-interval request (`MAX_RUNS_GET_METRIC_HISTORY_BULK`).
const MAX_RUNS_BULK_INTERVAL: usize = 100;
/// Most points per run in one bulk-interval request (`MAX_RESULTS_PER_RUN`).
const MAX_RESULTS_PER_RUN: i64 = 2500;

impl TrackingService {
    /// `metrics/get-history`.
    pub async fn get_metric_history(
        &self,
        req: GetMetricHistory,
    ) -> Result<GetMetricHistoryResponse, MlflowError> {
        let run_id = validation::run_id(req.run_id, req.run_uuid)?;
        let key = required_str(req.metric_key, "metric_key")?;
        if let Some(max) = req.max_results {
            if max <= 0 {
                return Err(MlflowError::invalid(format!(
                    "Invalid value {max} for parameter 'max_results' supplied. It must be a \
                     positive integer"
                )));
            }
        }
        let offset = page_token::decode(req.page_token.as_deref())?;
        let page = self
            .store
            .get_metric_history(&run_id, &key, offset, req.max_results)
            .await?;
        Ok(GetMetricHistoryResponse {
            metrics: page.items,
            next_page_token: page.next_offset.map(page_token::encode),
        })
    }

    /// `metrics/get-history-bulk-interval`.
    pub async fn get_metric_history_bulk_interval(
        &self,
        req: GetMetricHistoryBulkInterval,
    ) -> Result<GetMetricHistoryBulkIntervalResponse, MlflowError> {
        if req.run_ids.is_empty() {
            return Err(validation::missing("run_ids"));
        }
        if req.run_ids.len() > MAX_RUNS_BULK_INTERVAL {
            return Err(MlflowError::invalid(format!(
                "GetMetricHistoryBulkInterval request must specify at most \
                 {MAX_RUNS_BULK_INTERVAL} run_ids. Received {} run_ids.",
                req.run_ids.len()
            )));
        }
        let key = required_str(req.metric_key, "metric_key")?;
        let max_results = req.max_results.unwrap_or(MAX_RESULTS_PER_RUN);
        if !(1..=MAX_RESULTS_PER_RUN).contains(&max_results) {
            return Err(MlflowError::invalid(format!(
                "max_results must be between 1 and {MAX_RESULTS_PER_RUN}."
            )));
        }
        match (req.start_step, req.end_step) {
            (Some(start), Some(end)) if start > end => {
                return Err(MlflowError::invalid(format!(
                    "end_step must be greater than start_step. Found start_step={start} and \
                     end_step={end}."
                )));
            }
            (Some(_), None) | (None, Some(_)) => {
                return Err(MlflowError::invalid(
                    "If either start step or end step are specified, both must be specified.",
                ));
            }
            _ => {}
        }
        let metrics = self
            .store
            .get_metric_history_bulk_interval(&HistoryInterval {
                run_ids: req.run_ids,
                key,
                start_step: req.start_step,
                end_step: req.end_step,
                max_results: max_results as usize,
            })
            .await?;
        Ok(GetMetricHistoryBulkIntervalResponse { metrics })
    }
}
