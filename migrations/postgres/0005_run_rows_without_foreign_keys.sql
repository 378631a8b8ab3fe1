-- The rows a run logs (metrics, their latest points and chart tiles, params, tags) no
-- longer reference `runs` by foreign key on PostgreSQL. PostgreSQL checks a foreign key
-- once per inserted row, with a query and a row lock on the run: 30 checks for a
-- 10-metric log-batch, a quarter of PostgreSQL's time per request (bench, `perf`).
-- The server keeps the same guarantee with one check per write instead: every write of
-- these rows reads its run first with `FOR KEY SHARE` (or creates it in the same
-- statement), in the transaction of the write, so `ferroflow gc` deleting the run waits
-- for the write or the write finds no run; gc deletes the rows of the runs it removes
-- itself (`store/sql/gc.rs`). SQLite keeps its foreign keys: it checks them in-process.
ALTER TABLE metrics DROP CONSTRAINT metrics_run_uuid_fkey;
ALTER TABLE latest_metrics DROP CONSTRAINT latest_metrics_run_uuid_fkey;
ALTER TABLE metric_tiles DROP CONSTRAINT metric_tiles_run_uuid_fkey;
ALTER TABLE params DROP CONSTRAINT params_run_uuid_fkey;
ALTER TABLE tags DROP CONSTRAINT tags_run_uuid_fkey;
