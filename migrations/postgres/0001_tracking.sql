-- Tracking schema: experiments, runs and what runs log. Table and column names follow
-- MLflow's SQLAlchemy store so the data reads familiarly; booleans are 0/1 integers
-- (one representation for both engines).

CREATE TABLE experiments (
    experiment_id     BIGSERIAL PRIMARY KEY,
    name              TEXT    NOT NULL UNIQUE,
    artifact_location TEXT    NOT NULL,
    lifecycle_stage   TEXT    NOT NULL DEFAULT 'active',
    creation_time     BIGINT,
    last_update_time  BIGINT
);

CREATE TABLE experiment_tags (
    experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
    key           TEXT   NOT NULL,
    value         TEXT   NOT NULL,
    PRIMARY KEY (experiment_id, key)
);

CREATE TABLE runs (
    run_uuid        TEXT   NOT NULL PRIMARY KEY,
    name            TEXT   NOT NULL DEFAULT '',
    experiment_id   BIGINT NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
    user_id         TEXT   NOT NULL DEFAULT '',
    status          TEXT   NOT NULL,
    start_time      BIGINT,
    end_time        BIGINT,
    deleted_time    BIGINT,
    lifecycle_stage TEXT   NOT NULL DEFAULT 'active',
    artifact_uri    TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX runs_experiment_start ON runs (experiment_id, start_time DESC, run_uuid);

-- Every logged point. The primary key makes a repeated identical point a no-op (MLflow
-- ignores exact duplicates; it is also what makes client retries idempotent) and clusters
-- a run's history by key and step for get-history.
CREATE TABLE metrics (
    run_uuid  TEXT   NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
    key       TEXT   NOT NULL,
    step      BIGINT NOT NULL,
    timestamp BIGINT NOT NULL,
    value     DOUBLE PRECISION NOT NULL,
    is_nan    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (run_uuid, key, step, timestamp, value, is_nan)
);

-- The latest point per key (by step, then timestamp, then value), kept on write so that
-- run pages and metric filters never scan histories.
CREATE TABLE latest_metrics (
    run_uuid  TEXT   NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
    key       TEXT   NOT NULL,
    step      BIGINT NOT NULL,
    timestamp BIGINT NOT NULL,
    value     DOUBLE PRECISION NOT NULL,
    is_nan    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (run_uuid, key)
);
CREATE INDEX latest_metrics_key_value ON latest_metrics (key, value);

CREATE TABLE params (
    run_uuid TEXT NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (run_uuid, key)
);
CREATE INDEX params_key_value ON params (key, value);

CREATE TABLE tags (
    run_uuid TEXT NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (run_uuid, key)
);
CREATE INDEX tags_key_value ON tags (key, value);

CREATE TABLE datasets (
    dataset_uuid  TEXT   NOT NULL PRIMARY KEY,
    experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
    name          TEXT   NOT NULL,
    digest        TEXT   NOT NULL,
    source_type   TEXT   NOT NULL,
    source        TEXT   NOT NULL,
    schema        TEXT,
    profile       TEXT,
    UNIQUE (experiment_id, name, digest)
);

-- A run's use of a dataset (MLflow's `inputs` table narrowed to datasets -> runs).
CREATE TABLE run_inputs (
    input_uuid   TEXT NOT NULL PRIMARY KEY,
    run_uuid     TEXT NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
    dataset_uuid TEXT NOT NULL REFERENCES datasets (dataset_uuid) ON DELETE CASCADE,
    UNIQUE (run_uuid, dataset_uuid)
);

CREATE TABLE input_tags (
    input_uuid TEXT NOT NULL REFERENCES run_inputs (input_uuid) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (input_uuid, key)
);
