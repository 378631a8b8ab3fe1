#!/usr/bin/env bash
# Runs the shared MLflow REST workload (../shared/bench/tracking_bench.py) against the
# fastest peer, FastTrackML, and against ferroflow on SQLite and on PostgreSQL, one server
# at a time in one sitting, then prints the side-by-side table (report.py).
#
#   bash benches/tracking.sh                    # full run, ~15 minutes
#   SERVERS="ferroflow-sqlite" bash benches/tracking.sh
#   BENCH_ARGS="--duration 5 --search-runs 1000" bash benches/tracking.sh   # smoke run
#
# Needs wrk (apt-get install -y wrk); FastTrackML comes from PyPI into a cached venv.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${BENCH:-$ROOT/../shared/bench}
OUT=${OUT:-/tmp/ferroflow-bench}
SERVERS=${SERVERS:-"fasttrackml ferroflow-sqlite ferroflow-postgres"}
BENCH_ARGS=${BENCH_ARGS:-}
VENV_FTML=${VENV_FTML:-$HOME/.cache/ferroflow/venv-ftml}
PG_ADMIN=${PG_ADMIN:-postgresql://postgres@127.0.0.1:5432/postgres}

command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }
mkdir -p "$OUT"
cargo build --release --locked --bin ferroflow --manifest-path "$ROOT/Cargo.toml"
FF="$ROOT/target/release/ferroflow"
results=()

run() {  # run LABEL PORT DIR NOTE LAUNCH-CMD
  local label=$1 port=$2 dir=$3 note=$4 cmd=$5
  rm -rf "$dir" && mkdir -p "$dir"
  echo "=== $label ($(date -u +%H:%M:%S))"
  python3 "$BENCH/tracking_bench.py" --url "http://127.0.0.1:$port" --label "$label" \
    --note "$note" --launch "$cmd" --launch-cwd "$dir" --launch-log "$dir/server.log" \
    --restart-check --out "$OUT/$label.json" $BENCH_ARGS
  results+=("$OUT/$label.json")
}

for server in $SERVERS; do
  case $server in
    fasttrackml)
      [ -x "$VENV_FTML/bin/fml" ] || { python3 -m venv "$VENV_FTML" && "$VENV_FTML/bin/pip" install -q fasttrackml; }
      run fasttrackml 5102 /tmp/ff-bench-ftml "$("$VENV_FTML/bin/fml" --version 2>&1 | tail -1), sqlite" \
        "$VENV_FTML/bin/fml server -d sqlite:///tmp/ff-bench-ftml/fml.db --default-artifact-root /tmp/ff-bench-ftml/artifacts -a 127.0.0.1:5102"
      ;;
    ferroflow-sqlite)
      run ferroflow-sqlite 5103 /tmp/ff-bench-sqlite "ferroflow $("$FF" --version | awk '{print $2}'), sqlite" \
        "$FF server --port 5103 --backend-store-uri sqlite:////tmp/ff-bench-sqlite/mlflow.db"
      ;;
    ferroflow-postgres)
      psql "$PG_ADMIN" -q -c "DROP DATABASE IF EXISTS ferroflow_bench WITH (FORCE)" -c "CREATE DATABASE ferroflow_bench"
      run ferroflow-postgres 5104 /tmp/ff-bench-pg "ferroflow $("$FF" --version | awk '{print $2}'), PostgreSQL (local)" \
        "$FF server --port 5104 --backend-store-uri ${PG_ADMIN%/*}/ferroflow_bench"
      psql "$PG_ADMIN" -q -c "DROP DATABASE IF EXISTS ferroflow_bench WITH (FORCE)"
      ;;
    *) echo "unknown server $server" >&2; exit 2 ;;
  esac
done
python3 "$BENCH/report.py" "${results[@]}"
