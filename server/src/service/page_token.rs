//! MLflow's opaque page tokens: base64 of `{"offset": N}` (`SearchUtils.create_page_token`),
//! so tokens from either server mean the same.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::error::MlflowError;

/// Returns the token for the page starting at `offset`.
pub fn encode(offset: i64) -> String {
    STANDARD.encode(format!("{{\"offset\": {offset}}}"))
}

/// Returns the offset a token points at; no token means the first page.
pub fn decode(token: Option<&str>) -> Result<i64, MlflowError> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Ok(0);
    };
    let bytes = STANDARD
        .decode(token)
        .map_err(|_| MlflowError::invalid("Invalid page token, could not base64-decode"))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|_| MlflowError::invalid("Invalid page token, decoded value is not JSON"))?;
    let offset = value.get("offset").ok_or_else(|| {
        MlflowError::invalid("Invalid page token, parsed value does not contain 'offset' field")
    })?;
    offset.as_i64().filter(|o| *o >= 0).ok_or_else(|| {
        MlflowError::invalid(format!(
            "Invalid page token, offset must be a non-negative integer: {offset}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_matches_mlflow() {
        // Python: base64.b64encode(json.dumps({"offset": 100}).encode())
        assert_eq!(encode(100), "eyJvZmZzZXQiOiAxMDB9");
        assert_eq!(decode(Some(&encode(42))).unwrap(), 42);
        assert_eq!(decode(None).unwrap(), 0);
        assert_eq!(decode(Some("")).unwrap(), 0);
        assert!(decode(Some("!!!")).is_err());
        assert!(decode(Some(&STANDARD.encode("{\"x\": 1}"))).is_err());
        assert!(decode(Some(&STANDARD.encode("{\"offset\": -1}"))).is_err());
    }
}
