-- MLflow 3: metric points logged with a `model_id` are also the logged model's metrics
-- (MLflow's `logged_model_metrics` table). NaN is stored as value 0 with is_nan = 1,
-- as in `metrics`.
CREATE TABLE logged_model_metrics (
    model_id            TEXT   NOT NULL REFERENCES logged_models (model_id) ON DELETE CASCADE,
    metric_name         TEXT   NOT NULL,
    metric_timestamp_ms BIGINT NOT NULL,
    metric_step         BIGINT NOT NULL,
    metric_value        DOUBLE PRECISION NOT NULL,
    is_nan              BIGINT NOT NULL DEFAULT 0,
    run_id              TEXT   NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
    dataset_name        TEXT,
    dataset_digest      TEXT,
    PRIMARY KEY (model_id, metric_name, metric_timestamp_ms, metric_step, run_id)
);

-- MLflow 3: logged models a run used (`log-inputs` `models`, a run's
-- `inputs.model_inputs`).
CREATE TABLE run_model_inputs (
    run_uuid TEXT NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
    model_id TEXT NOT NULL,
    PRIMARY KEY (run_uuid, model_id)
);
