//! [`MlflowRequest`]: reads a request message the way MLflow's handlers do — from the
//! query string for GET, from the JSON body otherwise — and answers malformed input
//! with MLflow's JSON errors instead of axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::Method;
use serde::de::DeserializeOwned;

use crate::error::MlflowError;

/// A request message of type `T`.
pub struct MlflowRequest<T>(pub T);

impl<S, T> FromRequest<S> for MlflowRequest<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Default,
{
    type Rejection = MlflowError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // MLflow's clients send DELETE requests with a JSON body, as POST; a DELETE with
        // a query string is read like GET.
        let has_query = req.uri().query().is_some_and(|q| !q.is_empty());
        if req.method() == Method::GET || (req.method() == Method::DELETE && has_query) {
            let query = req.uri().query().unwrap_or("");
            return parse_query(query).map(MlflowRequest);
        }
        let body = Bytes::from_request(req, state).await.map_err(|rejection| {
            MlflowError::invalid(format!("Request body could not be read: {rejection}"))
        })?;
        parse_json(&body).map(MlflowRequest)
    }
}

/// Parses a query string; repeated keys fill list fields (`run_ids=a&run_ids=b`).
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, MlflowError> {
    serde_html_form::from_str(query)
        .map_err(|e| MlflowError::invalid(format!("Invalid query parameters: {e}")))
}

/// Parses a JSON body; an empty body is an empty message, and a JSON string holding
/// JSON (what some old clients send) is decoded twice, as MLflow does.
pub fn parse_json<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, MlflowError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    match serde_json::from_slice::<T>(body) {
        Ok(message) => Ok(message),
        Err(err) if err.is_data() => {
            if let Ok(inner) = serde_json::from_slice::<String>(body) {
                return parse_json(inner.as_bytes());
            }
            Err(MlflowError::invalid(format!(
                "Invalid value in request body: {err}"
            )))
        }
        Err(err) => Err(MlflowError::bad_request(format!(
            "Malformed JSON in request body: {err}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferroflow_protocol::messages::metrics::GetMetricHistoryBulkInterval;
    use ferroflow_protocol::messages::runs::LogMetric;
    use ferroflow_protocol::ErrorCode;

    #[test]
    fn query_strings_fill_lists_and_numbers() {
        let req: GetMetricHistoryBulkInterval =
            parse_query("run_ids=a&run_ids=b&metric_key=loss&max_results=10").unwrap();
        assert_eq!(req.run_ids, vec!["a", "b"]);
        assert_eq!(req.max_results, Some(10));
    }

    #[test]
    fn json_errors_are_mlflow_errors() {
        let err = parse_json::<LogMetric>(b"{not json").unwrap_err();
        assert_eq!(err.code, ErrorCode::BadRequest);
        let err = parse_json::<LogMetric>(br#"{"timestamp": "soon"}"#).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidParameterValue);
        let ok: LogMetric = parse_json(br#""{\"key\": \"k\"}""#).unwrap();
        assert_eq!(ok.key.as_deref(), Some("k"));
        let empty: LogMetric = parse_json(b"").unwrap();
        assert!(empty.key.is_none());
    }
}
