#!/usr/bin/env bash
# Times Keras (shared/bench/trainer/keras_bench.py) and the Rust speed bench on
# the same jobs in one sitting, job by job (Keras, then Rust, so each pair sees
# nearly the same machine load), and prints one Markdown table with ratios and
# the 1-minute load average read before each run.
#
# Usage: trainer/benches/compare_keras.sh [jobs] [-- extra cargo args]
#   jobs: comma list of dnn256,dnn32,cnn,rnn,lstm (default: all five)
#   e.g.  trainer/benches/compare_keras.sh lstm -- --features openblas
# Environment: KERAS_PY (default /tmp/kvenv/bin/python, a venv with
# tensorflow-cpu and scikit-learn), KERAS_BENCH (default
# /work/shared/bench/trainer/keras_bench.py), CARGO_TARGET_DIR as usual.
set -euo pipefail

jobs="${1:-dnn256,dnn32,cnn,rnn,lstm}"
shift || true
[[ "${1:-}" == "--" ]] && shift
cargo_args=("$@")
keras_py="${KERAS_PY:-/tmp/kvenv/bin/python}"
keras_bench="${KERAS_BENCH:-/work/shared/bench/trainer/keras_bench.py}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

cargo bench -q -p ferroflow-trainer "${cargo_args[@]}" --bench speed --no-run
for job in ${jobs//,/ }; do
    echo "== $job: keras (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    cut -d' ' -f1 /proc/loadavg >"$out/$job.keras.load"
    # --quiet-wait 0: on a shared machine waiting for quiet can take forever;
    # the load average is reported instead.
    "$keras_py" "$keras_bench" --jobs "$job" --quiet-wait 0 \
        --out "$out/$job.keras.json" >"$out/$job.keras.log" 2>&1
    echo "== $job: rust (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    cut -d' ' -f1 /proc/loadavg >"$out/$job.rust.load"
    cargo bench -q -p ferroflow-trainer "${cargo_args[@]}" --bench speed -- "$job" \
        | tee -a "$out/rust.log" >&2
done

python3 - "$out" "$jobs" <<'EOF'
import json, re, sys
out, jobs = sys.argv[1], sys.argv[2].split(",")
rust = {}
for line in open(f"{out}/rust.log"):
    m = re.match(r"(\w+)\s+batch\s+\d+ .*median ([\d.]+) s/epoch.*b256: (\d+)", line)
    if m:
        rust[m.group(1)] = (float(m.group(2)), float(m.group(3)))
print("| job | Keras s/epoch | Rust s/epoch | Rust/Keras time | Keras predict/s b256 "
      "| Rust predict/s b256 | Rust/Keras predict | load (Keras, Rust) |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for job in jobs:
    k = json.load(open(f"{out}/{job}.keras.json"))["jobs"][job]
    k_epoch = k["median_epoch_2_to_N_s"]
    k_pred = k["predict"]["256"]["samples_per_s"]
    r_epoch, r_pred = rust[job]
    loads = [open(f"{out}/{job}.{s}.load").read().strip() for s in ("keras", "rust")]
    print(f"| {job} | {k_epoch:.3f} | {r_epoch:.3f} | {r_epoch / k_epoch:.2f}× "
          f"| {k_pred:,.0f} | {r_pred:,.0f} | {r_pred / k_pred:.1f}× | {', '.join(loads)} |")
EOF
