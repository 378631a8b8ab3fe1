//! MLflow's tracking entities (`service.proto`: `Experiment`, `Run`, `RunInfo`,
//! `RunData`, `Metric`, `Param`, `RunTag`, `Dataset`, ...), as the server writes them.

use crate::wire;
use serde::{Deserialize, Serialize};

fn is_empty<T>(v: &[T]) -> bool {
    v.is_empty()
}

/// Whether an experiment or run is live or soft-deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LifecycleStage {
    /// Visible in default searches; writable.
    #[default]
    Active,
    /// Soft-deleted: restorable until garbage-collected.
    Deleted,
}

impl LifecycleStage {
    /// Returns MLflow's spelling, as stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleStage::Active => "active",
            LifecycleStage::Deleted => "deleted",
        }
    }
    /// Parses MLflow's spelling.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "active" => Some(LifecycleStage::Active),
            "deleted" => Some(LifecycleStage::Deleted),
            _ => None,
        }
    }
}

/// Which lifecycle stages a search returns (`ViewType`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ViewType {
    /// Only active entities (the default).
    #[default]
    ActiveOnly,
    /// Only soft-deleted entities.
    DeletedOnly,
    /// Both.
    All,
}

impl ViewType {
    /// Returns the lifecycle stages this view includes.
    pub fn stages(self) -> &'static [LifecycleStage] {
        match self {
            ViewType::ActiveOnly => &[LifecycleStage::Active],
            ViewType::DeletedOnly => &[LifecycleStage::Deleted],
            ViewType::All => &[LifecycleStage::Active, LifecycleStage::Deleted],
        }
    }
}

/// A run's status (`RunStatus`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RunStatus {
    /// The run is in progress.
    #[default]
    Running,
    /// The run is queued.
    Scheduled,
    /// The run ended successfully.
    Finished,
    /// The run ended with an error.
    Failed,
    /// The run was stopped.
    Killed,
}

impl RunStatus {
    /// Every status, in proto order.
    pub const ALL: [RunStatus; 5] = [
        RunStatus::Running,
        RunStatus::Scheduled,
        RunStatus::Finished,
        RunStatus::Failed,
        RunStatus::Killed,
    ];

    /// Returns MLflow's spelling, as stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "RUNNING",
            RunStatus::Scheduled => "SCHEDULED",
            RunStatus::Finished => "FINISHED",
            RunStatus::Failed => "FAILED",
            RunStatus::Killed => "KILLED",
        }
    }
    /// Parses MLflow's spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
    /// Returns whether the run has ended.
    pub fn is_terminated(self) -> bool {
        matches!(
            self,
            RunStatus::Finished | RunStatus::Failed | RunStatus::Killed
        )
    }
}

/// A key/value tag on an experiment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExperimentTag {
    /// Tag name.
    pub key: String,
    /// Tag value.
    pub value: String,
}

/// A key/value tag on a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunTag {
    /// Tag name.
    pub key: String,
    /// Tag value.
    pub value: String,
}

/// An immutable run parameter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Param {
    /// Parameter name.
    pub key: String,
    /// Parameter value.
    pub value: String,
}

/// One metric point.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Metric {
    /// Metric name.
    pub key: String,
    /// Value; NaN and infinities are preserved.
    #[serde(with = "wire::double")]
    pub value: f64,
    /// Milliseconds since the Unix epoch.
    #[serde(with = "wire::int64")]
    pub timestamp: i64,
    /// Training step.
    #[serde(with = "wire::int64")]
    pub step: i64,
}

/// A metric point labelled with its run (`MetricWithRunId`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricWithRunId {
    /// Metric name.
    pub key: String,
    /// Value.
    #[serde(with = "wire::double")]
    pub value: f64,
    /// Milliseconds since the Unix epoch.
    #[serde(with = "wire::int64")]
    pub timestamp: i64,
    /// Training step.
    #[serde(with = "wire::int64")]
    pub step: i64,
    /// The run the point belongs to.
    pub run_id: String,
}

/// An experiment (`Experiment`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Experiment {
    /// Numeric id, as a string.
    pub experiment_id: String,
    /// Unique name.
    pub name: String,
    /// Where runs of this experiment store artifacts.
    pub artifact_location: String,
    /// Active or deleted.
    pub lifecycle_stage: LifecycleStage,
    /// Milliseconds since the Unix epoch.
    #[serde(with = "wire::opt_int64", skip_serializing_if = "Option::is_none")]
    pub last_update_time: Option<i64>,
    /// Milliseconds since the Unix epoch.
    #[serde(with = "wire::opt_int64", skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<i64>,
    /// Experiment tags.
    #[serde(skip_serializing_if = "is_empty")]
    pub tags: Vec<ExperimentTag>,
}

/// A run's metadata (`RunInfo`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunInfo {
    /// 32 hex characters.
    pub run_id: String,
    /// The same id, under its deprecated name.
    pub run_uuid: String,
    /// Display name (also the `mlflow.runName` tag).
    pub run_name: String,
    /// Owning experiment.
    pub experiment_id: String,
    /// Who started the run.
    pub user_id: String,
    /// Current status.
    pub status: RunStatus,
    /// Milliseconds since the Unix epoch.
    #[serde(with = "wire::opt_int64", skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    /// Milliseconds since the Unix epoch; unset while running.
    #[serde(with = "wire::opt_int64", skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    /// Root URI of the run's artifacts.
    pub artifact_uri: String,
    /// Active or deleted.
    pub lifecycle_stage: LifecycleStage,
}

/// A dataset's description (`Dataset`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dataset {
    /// Dataset name.
    pub name: String,
    /// Content digest.
    pub digest: String,
    /// Kind of source (`local`, `s3`, `http`, ...).
    pub source_type: String,
    /// Source description, usually JSON.
    pub source: String,
    /// Schema, usually JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Profile, usually JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

/// A tag on a run's use of a dataset (`InputTag`), e.g. `mlflow.data.context=train`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InputTag {
    /// Tag name.
    pub key: String,
    /// Tag value.
    pub value: String,
}

/// A dataset used by a run (`DatasetInput`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DatasetInput {
    /// Tags of this use.
    #[serde(skip_serializing_if = "is_empty")]
    pub tags: Vec<InputTag>,
    /// The dataset.
    pub dataset: Dataset,
}

/// A run's logged data (`RunData`): latest metrics, params and tags.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunData {
    /// The latest point of each metric key.
    #[serde(skip_serializing_if = "is_empty")]
    pub metrics: Vec<Metric>,
    /// Parameters.
    #[serde(skip_serializing_if = "is_empty")]
    pub params: Vec<Param>,
    /// Tags.
    #[serde(skip_serializing_if = "is_empty")]
    pub tags: Vec<RunTag>,
}

/// A run's inputs (`RunInputs`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunInputs {
    /// Datasets used by the run.
    #[serde(skip_serializing_if = "is_empty")]
    pub dataset_inputs: Vec<DatasetInput>,
    /// Logged models the run used (MLflow 3).
    #[serde(skip_serializing_if = "is_empty")]
    pub model_inputs: Vec<crate::registry::ModelInput>,
}

/// What a run produced (`RunOutputs`, MLflow 3).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunOutputs {
    /// Logged models the run produced.
    #[serde(skip_serializing_if = "is_empty")]
    pub model_outputs: Vec<crate::registry::ModelOutput>,
}

impl RunOutputs {
    /// Returns whether the run recorded no outputs.
    pub fn is_empty(&self) -> bool {
        self.model_outputs.is_empty()
    }
}

/// A run: metadata, data, inputs and outputs (`Run`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Run {
    /// Metadata.
    pub info: RunInfo,
    /// Metrics, params, tags.
    pub data: RunData,
    /// Datasets.
    pub inputs: RunInputs,
    /// Logged models.
    #[serde(skip_serializing_if = "RunOutputs::is_empty")]
    pub outputs: RunOutputs,
}
