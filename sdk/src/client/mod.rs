//! [`Client`]: MLflow's tracking REST API (`/api/2.0/mlflow/...`) as typed blocking
//! methods, with retries, authentication and MLflow's error bodies turned into
//! [`Error::Api`].
//!
//! Method names follow MLflow's `MlflowClient` (`mlflow/tracking/client.py`); request
//! and response types come from `ferroflow-protocol`, so the SDK and the server share
//! one definition of the wire format.

use std::sync::Arc;
use std::time::Duration;

use ferroflow_protocol::{ErrorResponse, Metric, Param, RunTag};
use reqwest::blocking::Response;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::batcher::BatchConfig;
use crate::env;
use crate::error::{Error, Result};
use crate::retry::{Failure, RetryPolicy};

mod tracking;

/// Prefix of the tracking endpoints below the tracking URI.
const API_PREFIX: &str = "api/2.0/mlflow";

/// A connection to one tracking server. Cheap to clone; clones share the connection
/// pool.
///
/// ```no_run
/// use ferroflow_sdk::{Client, StartRun};
///
/// let client = Client::new("http://127.0.0.1:5000")?;
/// let experiment_id = client.get_or_create_experiment("demo")?;
/// let run = client.start_run(StartRun::new().experiment_id(&experiment_id))?;
/// run.log_metric("loss", 0.5, 0)?;
/// run.end(ferroflow_sdk::RunStatus::Finished)?;
/// # Ok::<(), ferroflow_sdk::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::blocking::Client,
    /// The tracking URI without a trailing slash.
    tracking_uri: String,
    retry: RetryPolicy,
    default_experiment_name: Option<String>,
    batching: BatchConfig,
}

/// Configures a [`Client`]: credentials, retries, timeouts, batching.
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    tracking_uri: String,
    username: Option<String>,
    password: Option<String>,
    token: Option<String>,
    retry: RetryPolicy,
    timeout: Duration,
    default_experiment_name: Option<String>,
    batching: BatchConfig,
}

impl ClientBuilder {
    /// Starts a configuration for the server at `tracking_uri` (`http://host:port`,
    /// optionally with a path prefix).
    pub fn new(tracking_uri: impl Into<String>) -> Self {
        ClientBuilder {
            tracking_uri: tracking_uri.into(),
            username: None,
            password: None,
            token: None,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(120),
            default_experiment_name: None,
            batching: BatchConfig::default(),
        }
    }

    /// Sends HTTP basic authentication with every request.
    pub fn basic_auth(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self.password = Some(password.into());
        self
    }

    /// Sends `Authorization: Bearer <token>` with every request (wins over basic auth).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Sets how requests are retried (default: [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets the timeout of one HTTP try (default 120 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the experiment that [`Client::start_run`] uses when the run names none.
    pub fn default_experiment_name(mut self, name: impl Into<String>) -> Self {
        self.default_experiment_name = Some(name.into());
        self
    }

    /// Sets how runs batch their logging (queue size, flush interval).
    pub fn batching(mut self, config: BatchConfig) -> Self {
        self.batching = config;
        self
    }

    /// Checks the URI and builds the client.
    pub fn build(self) -> Result<Client> {
        let tracking_uri = self.tracking_uri.trim_end_matches('/').to_string();
        let parsed = url::Url::parse(&tracking_uri).map_err(|e| {
            Error::InvalidArgument(format!("invalid tracking URI '{tracking_uri}': {e}"))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::InvalidArgument(format!(
                "tracking URI '{tracking_uri}' is not an http(s) URI: this SDK talks to a \
                 tracking server (`ferroflow server` or `mlflow server`)"
            )));
        }
        let mut headers = HeaderMap::new();
        let authorization = match (self.token, self.username) {
            (Some(token), _) => Some(format!("Bearer {token}")),
            (None, Some(user)) => {
                Some(basic_auth_header(&user, &self.password.unwrap_or_default()))
            }
            (None, None) => None,
        };
        if let Some(value) = authorization {
            let mut value = HeaderValue::from_str(&value).map_err(|_| {
                Error::InvalidArgument(
                    "credentials contain characters not allowed in HTTP headers".into(),
                )
            })?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let http = reqwest::blocking::Client::builder()
            .user_agent(concat!("ferroflow-sdk/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .connect_timeout(Duration::from_secs(10))
            .timeout(self.timeout)
            .build()
            .map_err(|e| Error::InvalidArgument(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                tracking_uri,
                retry: self.retry,
                default_experiment_name: self.default_experiment_name,
                batching: self.batching,
            }),
        })
    }
}

/// Returns the value of a basic `Authorization` header (RFC 7617).
fn basic_auth_header(user: &str, password: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}");
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4 + 6);
    out.push_str("Basic ");
    for chunk in input.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The body of one request.
pub(crate) enum Body {
    /// No body (GET).
    None,
    /// A JSON document.
    Json(Vec<u8>),
    /// Raw bytes (artifact upload).
    Bytes(Vec<u8>),
}

impl Client {
    /// Returns a client for the server at `tracking_uri` with default settings.
    pub fn new(tracking_uri: impl Into<String>) -> Result<Client> {
        ClientBuilder::new(tracking_uri).build()
    }

    /// Returns a client configured as MLflow's clients are: `MLFLOW_TRACKING_URI`
    /// (required), `MLFLOW_TRACKING_TOKEN` or `MLFLOW_TRACKING_USERNAME` /
    /// `MLFLOW_TRACKING_PASSWORD`, and `MLFLOW_EXPERIMENT_NAME` as the default
    /// experiment of [`start_run`](Client::start_run).
    pub fn from_env() -> Result<Client> {
        Self::builder_from_env()?.build()
    }

    /// Returns the builder [`from_env`](Client::from_env) uses, to adjust before
    /// building.
    pub fn builder_from_env() -> Result<ClientBuilder> {
        let uri = env::var(env::MLFLOW_TRACKING_URI).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "{} is not set; set it to the tracking server's URL, e.g. http://127.0.0.1:5000",
                env::MLFLOW_TRACKING_URI
            ))
        })?;
        let mut builder = ClientBuilder::new(uri);
        if let Some(token) = env::var(env::MLFLOW_TRACKING_TOKEN) {
            builder = builder.token(token);
        }
        if let Some(user) = env::var(env::MLFLOW_TRACKING_USERNAME) {
            let password = env::var(env::MLFLOW_TRACKING_PASSWORD).unwrap_or_default();
            builder = builder.basic_auth(user, password);
        }
        if let Some(name) = env::var(env::MLFLOW_EXPERIMENT_NAME) {
            builder = builder.default_experiment_name(name);
        }
        Ok(builder)
    }

    /// Returns the tracking URI, without a trailing slash.
    pub fn tracking_uri(&self) -> &str {
        &self.inner.tracking_uri
    }

    pub(crate) fn batch_config(&self) -> &BatchConfig {
        &self.inner.batching
    }

    pub(crate) fn default_experiment_name(&self) -> Option<&str> {
        self.inner.default_experiment_name.as_deref()
    }

    // ----- transport -------------------------------------------------------------

    /// Sends one request with retries and hands a 2xx response to `read`. A failure
    /// of `read` (the body broke off) counts as a transport failure and is retried.
    pub(crate) fn execute<T>(
        &self,
        method: Method,
        url: &str,
        endpoint: &str,
        query: &[(&str, &str)],
        body: &Body,
        mut read: impl FnMut(Response) -> reqwest::Result<T>,
    ) -> Result<T> {
        let method_name = static_method_name(&method);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = self.inner.http.request(method.clone(), url);
            if !query.is_empty() {
                request = request.query(query);
            }
            request = match body {
                Body::None => request,
                Body::Json(bytes) => request
                    .header(CONTENT_TYPE, "application/json")
                    .body(bytes.clone()),
                Body::Bytes(bytes) => request
                    .header(CONTENT_TYPE, "application/octet-stream")
                    .body(bytes.clone()),
            };
            let (failure, retry_after, error) = match request.send() {
                Ok(response) if response.status().is_success() => match read(response) {
                    Ok(value) => return Ok(value),
                    Err(e) => (
                        Failure::Transport,
                        None,
                        transport(method_name, endpoint, attempt, &e),
                    ),
                },
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    let text = response.text().unwrap_or_default();
                    let error = api_error(method_name, endpoint, status, &text);
                    (Failure::Status(status), retry_after, error)
                }
                Err(e) => (
                    Failure::Transport,
                    None,
                    transport(method_name, endpoint, attempt, &e),
                ),
            };
            if !self.inner.retry.should_retry(attempt, failure) {
                return Err(error);
            }
            let pause = self.inner.retry.backoff(attempt, retry_after);
            tracing::debug!(endpoint, attempt, ?pause, error = %error, "retrying request");
            std::thread::sleep(pause);
        }
    }

    /// Sends `request` as JSON to a tracking endpoint and parses the answer.
    pub(crate) fn post<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        endpoint: &str,
        request: &Req,
    ) -> Result<Resp> {
        self.post_bytes(endpoint, request_json(request)?)
    }

    /// Posts an already-serialized JSON body (log-batch builds its own).
    pub(crate) fn post_bytes<Resp: DeserializeOwned>(
        &self,
        endpoint: &str,
        body: Vec<u8>,
    ) -> Result<Resp> {
        let url = format!("{}/{API_PREFIX}/{endpoint}", self.inner.tracking_uri);
        let bytes = self.execute(Method::POST, &url, endpoint, &[], &Body::Json(body), |r| {
            r.bytes()
        })?;
        decode(endpoint, &bytes)
    }

    /// Sends a GET with a query string to a tracking endpoint and parses the answer.
    pub(crate) fn get<Resp: DeserializeOwned>(
        &self,
        endpoint: &str,
        query: &[(&str, &str)],
    ) -> Result<Resp> {
        let url = format!("{}/{API_PREFIX}/{endpoint}", self.inner.tracking_uri);
        let bytes = self.execute(Method::GET, &url, endpoint, query, &Body::None, |r| {
            r.bytes()
        })?;
        decode(endpoint, &bytes)
    }
}

/// Serializes a log-batch body straight from borrowed slices: the background worker
/// sends these hundreds of times a second, so no request struct is cloned.
pub(crate) fn log_batch_body(
    run_id: &str,
    metrics: &[Metric],
    params: &[Param],
    tags: &[RunTag],
) -> Result<Vec<u8>> {
    #[derive(Serialize)]
    struct Body<'a> {
        run_id: &'a str,
        #[serde(skip_serializing_if = "<[Metric]>::is_empty")]
        metrics: &'a [Metric],
        #[serde(skip_serializing_if = "<[Param]>::is_empty")]
        params: &'a [Param],
        #[serde(skip_serializing_if = "<[RunTag]>::is_empty")]
        tags: &'a [RunTag],
    }
    serde_json::to_vec(&Body {
        run_id,
        metrics,
        params,
        tags,
    })
    .map_err(|e| Error::InvalidArgument(format!("cannot serialize log-batch: {e}")))
}

/// Serializes a request, leaving out unset fields: the protocol's request types write
/// `None` as `null`, which MLflow's request-schema checks reject ("must be a string").
fn request_json<Req: Serialize>(request: &Req) -> Result<Vec<u8>> {
    fn strip_nulls(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.retain(|_, v| !v.is_null());
                map.values_mut().for_each(strip_nulls);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip_nulls),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(request)
        .map_err(|e| Error::InvalidArgument(format!("cannot serialize request: {e}")))?;
    strip_nulls(&mut value);
    serde_json::to_vec(&value)
        .map_err(|e| Error::InvalidArgument(format!("cannot serialize request: {e}")))
}

fn decode<Resp: DeserializeOwned>(endpoint: &str, bytes: &[u8]) -> Result<Resp> {
    serde_json::from_slice(bytes).map_err(|e| Error::Decode {
        endpoint: endpoint.to_string(),
        message: e.to_string(),
    })
}

fn static_method_name(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        _ => "POST",
    }
}

fn transport(method: &'static str, endpoint: &str, attempts: u32, error: &reqwest::Error) -> Error {
    // reqwest's Display stops at the outermost layer ("error sending request"); the
    // cause (connection refused, ...) is what the user needs.
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    Error::Transport {
        method,
        endpoint: endpoint.to_string(),
        attempts,
        message,
    }
}

/// Turns an error answer into [`Error::Api`], reading MLflow's JSON body when present.
fn api_error(method: &'static str, endpoint: &str, status: u16, body: &str) -> Error {
    let (code, message) = match serde_json::from_str::<ErrorResponse>(body) {
        Ok(parsed) => (Some(parsed.error_code), parsed.message),
        Err(_) => (None, body.chars().take(500).collect()),
    };
    Error::Api {
        method,
        endpoint: endpoint.to_string(),
        status,
        code,
        message,
    }
}

/// Returns milliseconds since the Unix epoch, MLflow's timestamp unit.
pub(crate) fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferroflow_protocol::messages::runs::UpdateRun;
    use ferroflow_protocol::RunStatus;

    #[test]
    fn basic_auth_header_is_rfc_7617_base64() {
        // Values from RFC 7617 section 2 and base64's padding cases.
        assert_eq!(
            basic_auth_header("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(basic_auth_header("a", ""), "Basic YTo=");
        assert_eq!(basic_auth_header("ab", "c"), "Basic YWI6Yw==");
        assert_eq!(basic_auth_header("ab", "cd"), "Basic YWI6Y2Q=");
    }

    #[test]
    fn requests_omit_unset_fields() {
        let request = UpdateRun {
            run_id: Some("r".into()),
            status: Some(RunStatus::Finished),
            ..UpdateRun::default()
        };
        let json = String::from_utf8(request_json(&request).unwrap()).unwrap();
        assert_eq!(json, r#"{"run_id":"r","status":"FINISHED"}"#);
    }

    #[test]
    fn log_batch_body_skips_empty_lists() {
        let metric = Metric {
            key: "loss".into(),
            value: f64::NAN,
            timestamp: 5,
            step: 1,
        };
        let body = log_batch_body("r", &[metric], &[], &[]).unwrap();
        assert_eq!(
            String::from_utf8(body).unwrap(),
            r#"{"run_id":"r","metrics":[{"key":"loss","value":"NaN","timestamp":5,"step":1}]}"#
        );
    }

    #[test]
    fn error_bodies_become_api_errors_with_mlflow_codes() {
        let error = api_error(
            "POST",
            "runs/get",
            404,
            r#"{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Run 'x' not found"}"#,
        );
        assert!(error.is_not_found());
        assert!(error.to_string().contains("Run 'x' not found"), "{error}");
        let plain = api_error("GET", "runs/get", 502, "Bad Gateway");
        assert_eq!(plain.error_code(), None);
        assert!(plain.to_string().contains("HTTP 502"), "{plain}");
    }

    #[test]
    fn from_env_reads_mlflow_variables() {
        // The only test touching these variables, so parallel tests cannot race on them.
        std::env::remove_var(env::MLFLOW_TRACKING_URI);
        let missing = Client::from_env().err().unwrap();
        assert!(
            missing.to_string().contains("MLFLOW_TRACKING_URI"),
            "{missing}"
        );
        std::env::set_var(env::MLFLOW_TRACKING_URI, "http://tracking.example:5000/");
        std::env::set_var(env::MLFLOW_EXPERIMENT_NAME, "nightly");
        std::env::set_var(env::MLFLOW_TRACKING_USERNAME, "ada");
        let client = Client::from_env().unwrap();
        assert_eq!(client.tracking_uri(), "http://tracking.example:5000");
        assert_eq!(client.default_experiment_name(), Some("nightly"));
        for name in [
            env::MLFLOW_TRACKING_URI,
            env::MLFLOW_EXPERIMENT_NAME,
            env::MLFLOW_TRACKING_USERNAME,
        ] {
            std::env::remove_var(name);
        }
    }

    #[test]
    fn only_http_uris_are_accepted() {
        assert!(Client::new("http://127.0.0.1:5000/").is_ok());
        let err = Client::new("sqlite:///mlflow.db").err().unwrap();
        assert!(err.to_string().contains("not an http(s) URI"), "{err}");
        assert!(Client::new("not a uri").is_err());
    }
}
