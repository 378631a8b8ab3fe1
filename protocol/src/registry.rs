//! MLflow's model-registry entities (`model_registry.proto`: `RegisteredModel`,
//! `ModelVersion`, their tags and aliases) and MLflow 3's logged models
//! (`service.proto`: `LoggedModel`, `LoggedModelInfo`, `LoggedModelData`,
//! `ModelInput`, `ModelOutput`), as the server writes them.

use crate::entities::Metric;
use crate::wire;
use serde::{Deserialize, Serialize};

fn is_empty<T>(v: &[T]) -> bool {
    v.is_empty()
}

/// A key/value tag on a registered model (`RegisteredModelTag`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegisteredModelTag {
    /// Tag name.
    pub key: String,
    /// Tag value.
    pub value: String,
}

/// A key/value tag on a model version (`ModelVersionTag`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelVersionTag {
    /// Tag name.
    pub key: String,
    /// Tag value.
    pub value: String,
}

/// A named pointer to one version of a registered model (`RegisteredModelAlias`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegisteredModelAlias {
    /// The alias, e.g. `champion`.
    pub alias: String,
    /// The version it points to, as a string.
    pub version: String,
}

/// Registration status of a model version (`ModelVersionStatus`). ferroflow registers
/// synchronously, so versions are created `READY`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ModelVersionStatus {
    /// Registration in progress.
    PendingRegistration,
    /// Registration failed.
    FailedRegistration,
    /// Usable.
    #[default]
    Ready,
}

impl ModelVersionStatus {
    /// Returns MLflow's spelling, as stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelVersionStatus::PendingRegistration => "PENDING_REGISTRATION",
            ModelVersionStatus::FailedRegistration => "FAILED_REGISTRATION",
            ModelVersionStatus::Ready => "READY",
        }
    }
    /// Parses MLflow's spelling.
    pub fn parse(text: &str) -> Option<Self> {
        [
            ModelVersionStatus::PendingRegistration,
            ModelVersionStatus::FailedRegistration,
            ModelVersionStatus::Ready,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// One version of a registered model (`ModelVersion`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelVersion {
    /// The registered model's name.
    pub name: String,
    /// The version number, as a string (`"1"`).
    pub version: String,
    /// Milliseconds since the Unix epoch.
    #[serde(with = "wire::opt_int64", skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<i64>,
    /// Milliseconds since the Unix epoch.
    #[serde(with = "wire::opt_int64", skip_serializing_if = "Option::is_none")]
    pub last_updated_timestamp: Option<i64>,
    /// Who created the version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Legacy stage: `None`, `Staging`, `Production` or `Archived`.
    pub current_stage: String,
    /// Free-text description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the model's files are, as given at registration.
    pub source: String,
    /// The run that produced the model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Registration status.
    pub status: ModelVersionStatus,
    /// Details of the status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// Tags.
    #[serde(skip_serializing_if = "is_empty")]
    pub tags: Vec<ModelVersionTag>,
    /// Link to the run in another tracking server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_link: Option<String>,
    /// Aliases pointing to this version.
    #[serde(skip_serializing_if = "is_empty")]
    pub aliases: Vec<String>,
    /// The MLflow 3 logged model this version was registered from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
}

/// A registered model (`RegisteredModel`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegisteredModel {
    /// Unique name.
    pub name: String,
    /// Milliseconds since the Unix epoch.
    #[serde(with = "wire::opt_int64", skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<i64>,
    /// Milliseconds since the Unix epoch.
    #[serde(with = "wire::opt_int64", skip_serializing_if = "Option::is_none")]
    pub last_updated_timestamp: Option<i64>,
    /// Who created the model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Free-text description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The latest version in each stage.
    #[serde(skip_serializing_if = "is_empty")]
    pub latest_versions: Vec<ModelVersion>,
    /// Tags.
    #[serde(skip_serializing_if = "is_empty")]
    pub tags: Vec<RegisteredModelTag>,
    /// Aliases.
    #[serde(skip_serializing_if = "is_empty")]
    pub aliases: Vec<RegisteredModelAlias>,
}

/// Status of a logged model (`LoggedModelStatus`). Read from its proto name or number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum LoggedModelStatus {
    /// Not set.
    #[default]
    #[serde(rename = "LOGGED_MODEL_STATUS_UNSPECIFIED")]
    Unspecified,
    /// Created; files still being uploaded.
    #[serde(rename = "LOGGED_MODEL_PENDING")]
    Pending,
    /// Files uploaded; usable.
    #[serde(rename = "LOGGED_MODEL_READY")]
    Ready,
    /// The upload failed.
    #[serde(rename = "LOGGED_MODEL_UPLOAD_FAILED")]
    UploadFailed,
}

impl LoggedModelStatus {
    /// Every status, in proto order.
    pub const ALL: [LoggedModelStatus; 4] = [
        LoggedModelStatus::Unspecified,
        LoggedModelStatus::Pending,
        LoggedModelStatus::Ready,
        LoggedModelStatus::UploadFailed,
    ];

    /// Returns the proto spelling, as stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            LoggedModelStatus::Unspecified => "LOGGED_MODEL_STATUS_UNSPECIFIED",
            LoggedModelStatus::Pending => "LOGGED_MODEL_PENDING",
            LoggedModelStatus::Ready => "LOGGED_MODEL_READY",
            LoggedModelStatus::UploadFailed => "LOGGED_MODEL_UPLOAD_FAILED",
        }
    }
    /// Parses the proto spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl<'de> Deserialize<'de> for LoggedModelStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Name(String),
            Number(i64),
        }
        let invalid =
            |what: String| serde::de::Error::custom(format!("'{what}' is not a LoggedModelStatus"));
        match Raw::deserialize(d)? {
            Raw::Name(name) => match name.parse::<usize>() {
                Ok(n) => Self::ALL.get(n).copied().ok_or_else(|| invalid(name)),
                Err(_) => Self::parse(&name).ok_or_else(|| invalid(name)),
            },
            Raw::Number(n) => usize::try_from(n)
                .ok()
                .and_then(|n| Self::ALL.get(n).copied())
                .ok_or_else(|| invalid(n.to_string())),
        }
    }
}

/// A key/value tag on a logged model (`LoggedModelTag`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoggedModelTag {
    /// Tag name.
    pub key: String,
    /// Tag value.
    pub value: String,
}

/// A parameter of a logged model (`LoggedModelParameter`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoggedModelParameter {
    /// Parameter name.
    pub key: String,
    /// Parameter value.
    pub value: String,
}

/// A registry version created from a logged model (`LoggedModelRegistrationInfo`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoggedModelRegistrationInfo {
    /// The registered model.
    pub name: String,
    /// The version, as a string.
    pub version: String,
}

/// A logged model's metadata (`LoggedModelInfo`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoggedModelInfo {
    /// `m-` followed by 32 hex characters.
    pub model_id: String,
    /// Owning experiment.
    pub experiment_id: String,
    /// Display name.
    pub name: String,
    /// Milliseconds since the Unix epoch.
    #[serde(with = "wire::opt_int64", skip_serializing_if = "Option::is_none")]
    pub creation_timestamp_ms: Option<i64>,
    /// Milliseconds since the Unix epoch.
    #[serde(with = "wire::opt_int64", skip_serializing_if = "Option::is_none")]
    pub last_updated_timestamp_ms: Option<i64>,
    /// Root URI of the model's files.
    pub artifact_uri: String,
    /// Upload status.
    pub status: LoggedModelStatus,
    /// Kind of model, free text (e.g. `agent`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_type: Option<String>,
    /// The run that logged the model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_run_id: Option<String>,
    /// Details of the status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// Tags.
    #[serde(skip_serializing_if = "is_empty")]
    pub tags: Vec<LoggedModelTag>,
    /// Registry versions made from this model.
    #[serde(skip_serializing_if = "is_empty")]
    pub registrations: Vec<LoggedModelRegistrationInfo>,
}

/// A logged model's data (`LoggedModelData`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoggedModelData {
    /// Parameters.
    #[serde(skip_serializing_if = "is_empty")]
    pub params: Vec<LoggedModelParameter>,
    /// Metrics linked to the model.
    #[serde(skip_serializing_if = "is_empty")]
    pub metrics: Vec<ModelMetric>,
}

/// A metric point logged for a logged model (MLflow 3's `Metric` with its `model_id`,
/// `run_id` and dataset fields set).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelMetric {
    /// The point: key, value, timestamp, step (flattened, as in MLflow's `Metric`).
    #[serde(flatten)]
    pub metric: Metric,
    /// The logged model.
    pub model_id: String,
    /// The run that logged the point.
    pub run_id: String,
    /// Name of the dataset the point was computed on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset_name: Option<String>,
    /// Digest of that dataset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset_digest: Option<String>,
}

/// An MLflow 3 logged model (`LoggedModel`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoggedModel {
    /// Metadata.
    pub info: LoggedModelInfo,
    /// Params and metrics.
    pub data: LoggedModelData,
}

/// A model a run produced, at a step (`ModelOutput`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelOutput {
    /// The logged model.
    pub model_id: String,
    /// The step at which it was logged.
    #[serde(with = "wire::int64")]
    pub step: i64,
}

/// A model a run used (`ModelInput`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelInput {
    /// The logged model.
    pub model_id: String,
}
