-- Chart summaries: each metric history cut into tiles of 128 consecutive steps (tile =
-- floor(step / 128)), each keeping its point count and its first and last point (in
-- history order: step, timestamp, value) and its smallest and largest non-NaN point.
-- Kept on every write, so a chart of a long history reads one row per 128 steps instead
-- of every point and still shows every spike (`ferroflow/metrics/sampled`).
-- NaN is stored as value 0 with is_nan = 1, as in `metrics`; min and max are NULL when
-- every point of the tile is NaN.
CREATE TABLE metric_tiles (
    run_uuid        TEXT   NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
    key             TEXT   NOT NULL,
    tile            BIGINT NOT NULL,
    point_count     BIGINT NOT NULL,
    first_step      BIGINT NOT NULL,
    first_timestamp BIGINT NOT NULL,
    first_value     DOUBLE PRECISION NOT NULL,
    first_is_nan    BIGINT NOT NULL,
    last_step       BIGINT NOT NULL,
    last_timestamp  BIGINT NOT NULL,
    last_value      DOUBLE PRECISION NOT NULL,
    last_is_nan     BIGINT NOT NULL,
    min_step        BIGINT,
    min_timestamp   BIGINT,
    min_value       DOUBLE PRECISION,
    max_step        BIGINT,
    max_timestamp   BIGINT,
    max_value       DOUBLE PRECISION,
    PRIMARY KEY (run_uuid, key, tile)
);

-- Tiles of the histories logged before this migration. The server recomputes tiles with
-- the same statement (`store/sql/tiles.rs`, TILES_FROM_METRICS), and a test checks both.
INSERT INTO metric_tiles
SELECT DISTINCT run_uuid, key, tile,
    COUNT(*) OVER whole,
    FIRST_VALUE(step) OVER by_history, FIRST_VALUE(timestamp) OVER by_history,
    FIRST_VALUE(value) OVER by_history, FIRST_VALUE(is_nan) OVER by_history,
    LAST_VALUE(step) OVER by_history, LAST_VALUE(timestamp) OVER by_history,
    LAST_VALUE(value) OVER by_history, LAST_VALUE(is_nan) OVER by_history,
    CASE WHEN FIRST_VALUE(is_nan) OVER by_min = 0 THEN FIRST_VALUE(step) OVER by_min END,
    CASE WHEN FIRST_VALUE(is_nan) OVER by_min = 0 THEN FIRST_VALUE(timestamp) OVER by_min END,
    CASE WHEN FIRST_VALUE(is_nan) OVER by_min = 0 THEN FIRST_VALUE(value) OVER by_min END,
    CASE WHEN FIRST_VALUE(is_nan) OVER by_max = 0 THEN FIRST_VALUE(step) OVER by_max END,
    CASE WHEN FIRST_VALUE(is_nan) OVER by_max = 0 THEN FIRST_VALUE(timestamp) OVER by_max END,
    CASE WHEN FIRST_VALUE(is_nan) OVER by_max = 0 THEN FIRST_VALUE(value) OVER by_max END
FROM (SELECT run_uuid, key, step, timestamp, value, is_nan,
        CASE WHEN step >= 0 THEN step / 128 ELSE (step + 1) / 128 - 1 END AS tile
      FROM metrics) AS points
WHERE true
WINDOW whole AS (PARTITION BY run_uuid, key, tile),
    by_history AS (whole ORDER BY step, timestamp, value
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING),
    by_min AS (whole ORDER BY is_nan, value, step, timestamp
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING),
    by_max AS (whole ORDER BY is_nan, value DESC, step, timestamp
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING);
