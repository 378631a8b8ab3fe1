-- Model registry and MLflow 3 logged models. Table and column names follow MLflow's
-- SQLAlchemy stores (`registered_models`, `model_versions`, `logged_models`, ...).
-- Renaming a registered model rewrites `name` everywhere through ON UPDATE CASCADE;
-- deleting one removes its versions, tags and aliases through ON DELETE CASCADE.

CREATE TABLE registered_models (
    name              TEXT   NOT NULL PRIMARY KEY,
    creation_time     BIGINT NOT NULL,
    last_updated_time BIGINT NOT NULL,
    description       TEXT
);

CREATE TABLE registered_model_tags (
    name  TEXT NOT NULL REFERENCES registered_models (name) ON DELETE CASCADE ON UPDATE CASCADE,
    key   TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (name, key)
);

-- A deleted version stays as a redacted row with stage 'Deleted_Internal' (as MLflow), so
-- that version numbers are never handed out twice.
CREATE TABLE model_versions (
    name              TEXT   NOT NULL REFERENCES registered_models (name) ON DELETE CASCADE ON UPDATE CASCADE,
    version           BIGINT NOT NULL,
    creation_time     BIGINT NOT NULL,
    last_updated_time BIGINT NOT NULL,
    description       TEXT,
    user_id           TEXT,
    current_stage     TEXT   NOT NULL DEFAULT 'None',
    source            TEXT   NOT NULL,
    storage_location  TEXT,
    run_id            TEXT,
    run_link          TEXT,
    status            TEXT   NOT NULL DEFAULT 'READY',
    status_message    TEXT,
    model_id          TEXT,
    PRIMARY KEY (name, version)
);
CREATE INDEX model_versions_run_id ON model_versions (run_id);

CREATE TABLE model_version_tags (
    name    TEXT   NOT NULL,
    version BIGINT NOT NULL,
    key     TEXT   NOT NULL,
    value   TEXT   NOT NULL,
    PRIMARY KEY (name, version, key),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
        ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE registered_model_aliases (
    name    TEXT   NOT NULL REFERENCES registered_models (name) ON DELETE CASCADE ON UPDATE CASCADE,
    alias   TEXT   NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (name, alias)
);

CREATE TABLE logged_models (
    model_id                  TEXT   NOT NULL PRIMARY KEY,
    experiment_id             BIGINT NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
    name                      TEXT   NOT NULL,
    artifact_location         TEXT   NOT NULL,
    creation_timestamp_ms     BIGINT NOT NULL,
    last_updated_timestamp_ms BIGINT NOT NULL,
    status                    TEXT   NOT NULL,
    lifecycle_stage           TEXT   NOT NULL DEFAULT 'active',
    model_type                TEXT,
    source_run_id             TEXT,
    status_message            TEXT
);
CREATE INDEX logged_models_experiment ON logged_models (experiment_id, creation_timestamp_ms DESC);

CREATE TABLE logged_model_tags (
    model_id TEXT NOT NULL REFERENCES logged_models (model_id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (model_id, key)
);

CREATE TABLE logged_model_params (
    model_id TEXT NOT NULL REFERENCES logged_models (model_id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (model_id, key)
);

-- Models a run produced (MLflow's `inputs` rows RUN_OUTPUT -> MODEL_OUTPUT).
CREATE TABLE run_model_outputs (
    run_uuid TEXT   NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
    model_id TEXT   NOT NULL,
    step     BIGINT NOT NULL,
    PRIMARY KEY (run_uuid, model_id)
);
