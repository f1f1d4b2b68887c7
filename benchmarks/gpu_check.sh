#!/usr/bin/env bash
# Every GPU measurement of the speed benchmark, in one run: about 3 to 5 minutes on an H100 or H200.
#
#   LENET_DATA=/path/to/fashion-mnist bash benchmarks/gpu_check.sh
#
# Needs: a CUDA GPU; python3 (or $PYTHON) with a CUDA build of torch, torchvision, matplotlib, tqdm and
#        pytest (missing ones are installed with pip, which needs a package index); the four
#        Fashion-MNIST .gz files in $LENET_DATA (default: ./data/fashion-mnist when it exists).
#        The package is used from this checkout (PYTHONPATH), so no `pip install -e .` is needed.
# Does:  1. checks that the CUDA-graphed training step computes what the plain step computes;
#        2. runs benchmarks/train_speed.py (which calls lenet_helpers.benchmark) for 10 epochs of
#           every GPU variant;
#        3. runs the speedrun of chapter 8 (python -m lenet_helpers.speedrun, 3 seeds) on the GPU.
# Writes: lenet_helpers/results/<gpu-name>.json and .md and speedrun-<gpu-name>.json (commit them),
#        and, when $OUT is set, copies of them with the logs into $OUT. Exits non-zero if a check or a variant failed.
# GPU_CHECK_DRY_RUN=1 walks through the same steps on the CPU in a few seconds (a tiny run whose
#        files end in -quick-local), to check the script itself on a machine without a GPU.
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
LOGS="${OUT:-$(mktemp -d)}"
mkdir -p "$LOGS"
say() { printf '\n== %s\n' "$*"; }

if ! "$PY" -c "import torch, torchvision, matplotlib, tqdm, pytest" 2>/dev/null; then
    say "installing what is missing: torch torchvision matplotlib tqdm pytest"
    "$PY" -m pip install --quiet "torch>=2.1" "torchvision>=0.16" "matplotlib>=3.7" "tqdm>=4.60" "pytest>=7.0" \
        || { echo "pip could not install them: install a CUDA build of torch and torchvision, then run again."; exit 1; }
fi
if [ -z "${LENET_DATA:-}" ] && [ -d data/fashion-mnist ]; then
    export LENET_DATA="$PWD/data/fashion-mnist"
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1

say "the machine"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 | tee "$LOGS/gpu_env.txt"
"$PY" - <<'EOF' 2>&1 | tee -a "$LOGS/gpu_env.txt"
import os, sys, torch, torchvision
print("python", sys.version.split()[0], "torch", torch.__version__, "torchvision", torchvision.__version__,
      "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(), "LENET_DATA", os.environ.get("LENET_DATA"))
if not torch.cuda.is_available() and not os.environ.get("GPU_CHECK_DRY_RUN"):
    sys.exit("No CUDA GPU is visible to torch: this script measures the GPU paths only. "
             "On a CPU run: python benchmarks/train_speed.py --epochs 10")
print("gpu", torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none (dry run)")
EOF
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1

say "1. the fast step against the plain step (CPU and CUDA graphs)"
"$PY" -m pytest -q -p no:cacheprovider -o addopts="" tests/test_benchmark.py -k "step or capture" 2>&1 \
    | tee "$LOGS/gpu_tests.log"
tests_rc=${PIPESTATUS[0]}

DEVICE=cuda ARGS=(--epochs 10)
if [ -n "${GPU_CHECK_DRY_RUN:-}" ]; then
    DEVICE=cpu ARGS=(--epochs 2 --train-examples 1024 --test-examples 1000 --variants project,fast)
fi
say "2. the benchmark: ${ARGS[*]} on $DEVICE"
NAME=$("$PY" -c "import torch; from lenet_helpers import benchmark; \
print(benchmark.results_name(torch.device('$DEVICE'), local=bool('${GPU_CHECK_DRY_RUN:-}')))")
"$PY" benchmarks/train_speed.py "${ARGS[@]}" --device "$DEVICE" --name "$NAME" 2>&1 | tee "$LOGS/gpu_benchmark.log"
bench_rc=${PIPESTATUS[0]}

SEEDS=3
[ -n "${GPU_CHECK_DRY_RUN:-}" ] && SEEDS=1
say "3. the speedrun: $SEEDS seeds on $DEVICE"
"$PY" -m lenet_helpers.speedrun --device "$DEVICE" --seeds "$SEEDS" --json 2>"$LOGS/gpu_speedrun.log" \
    | tee lenet_helpers/results/speedrun-"$NAME".json
speed_rc=${PIPESTATUS[0]}

if [ -n "${OUT:-}" ]; then
    cp lenet_helpers/results/"$NAME".json lenet_helpers/results/"$NAME".md \
       lenet_helpers/results/speedrun-"$NAME".json "$OUT"/ 2>/dev/null
fi
say "done: tests exit $tests_rc, benchmark exit $bench_rc, speedrun exit $speed_rc;" \
    "results in lenet_helpers/results/$NAME.json, .md and speedrun-$NAME.json"
[ "$tests_rc" -eq 0 ] && [ "$bench_rc" -eq 0 ] && [ "$speed_rc" -eq 0 ]
