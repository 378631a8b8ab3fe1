"""Seeds an `mlflow server` SQLite store directly with the data of bench.mjs.

    python seed_mlflow.py DB_PATH TABLE_EXPERIMENT_ID CHART_EXPERIMENT_ID '<json sizes>'

The experiments already exist (created through the REST API, so MLflow fills in their
artifact location); this writes the runs exactly as MLflow's SqlAlchemyStore would: a
`runs` row, the `mlflow.runName` / `mlflow.user` tags, `params`, every point in `metrics`
and the last one per key in `latest_metrics`. The values mirror bench.mjs (tableRun,
curve, spikeSteps). Prints the chart runs' ids, in order, as a JSON list on the last line.
"""

import json
import math
import sqlite3
import sys
import uuid


def main() -> None:
    db_path, table_exp, chart_exp, sizes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
    runs, n_params, n_metrics = sizes["runs"], sizes["params"], sizes["metrics"]
    chart_runs, points, n_spikes, spike, t0 = (
        sizes["chart_runs"], sizes["points"], sizes["spikes"], sizes["spike"], sizes["t0"])

    con = sqlite3.connect(db_path, timeout=60)
    con.execute("PRAGMA synchronous=OFF")
    art = dict(con.execute("SELECT experiment_id, artifact_location FROM experiments"))

    def add_run(exp_id: int, name: str, start: int, end: int) -> str:
        run_id = uuid.uuid4().hex
        con.execute(
            "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status,"
            " start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id)"
            " VALUES (?, ?, 'UNKNOWN', '', '', 'bench', 'FINISHED', ?, ?, '', 'active', ?, ?)",
            (run_id, name, start, end, f"{art[exp_id]}/{run_id}/artifacts", exp_id),
        )
        con.executemany(
            "INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)",
            [("mlflow.runName", name, run_id), ("mlflow.user", "bench", run_id)],
        )
        return run_id

    # The table experiment: one value per metric at step 0.
    with con:
        for i in range(runs):
            start = t0 + i * 1000
            run_id = add_run(table_exp, f"run-{i:05d}", start, start + 60_000)
            con.executemany(
                "INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)",
                [(f"param_{j:02d}", f"v{(i * 31 + j * 7) % 97}", run_id) for j in range(n_params)],
            )
            rows = [(f"metric_{j:02d}", ((i * 13 + j * 17) % 1000) / 1000, start + 1, run_id) for j in range(n_metrics)]
            con.executemany(
                "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, 0, 0)", rows)
            con.executemany(
                "INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid)"
                " VALUES (?, ?, ?, 0, 0, ?)", rows)

    # The chart experiment: `loss` over `points` steps, with single-point spikes.
    ids = []
    for c in range(chart_runs):
        start = t0 + c * 1000
        spikes = {(k + 1) * points // (n_spikes + 1) + c * 3 + 1 for k in range(n_spikes)}
        tau = points / 5

        def value(s: int) -> float:
            v = (1 + c / 100) * math.exp(-s / tau) + (0.01 * ((s * 7919 + c * 104729) % 1000)) / 1000
            return v + spike if s in spikes else v

        with con:
            run_id = add_run(chart_exp, f"curve-{c:03d}", start, start + points * 10)
            con.executemany(
                "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES ('loss', ?, ?, ?, ?, 0)",
                ((value(s), start + s * 10, run_id, s) for s in range(points)),
            )
            last = points - 1
            con.execute(
                "INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES ('loss', ?, ?, ?, 0, ?)",
                (value(last), start + last * 10, last, run_id),
            )
        ids.append(run_id)
    con.close()
    print(json.dumps(ids))


if __name__ == "__main__":
    main()
