#!/usr/bin/env bash
# Run notebooks while another process keeps one CPU core busy, as on a
# teacher's laptop with a browser open or a shared CI runner.
#
#   bash tests/stress.sh            # the notebooks that assert on a time
#   bash tests/stress.sh --all      # the whole test suite (pytest)
#   bash tests/stress.sh notebooks/06_speed.ipynb ...   # chosen notebooks
#
# The busy process is one Python loop at normal priority; it is stopped
# when the tests end, however they end. Extra pytest options can follow --.
set -euo pipefail
cd "$(dirname "$0")/.."
# The real data, as tests/conftest.py and .ci/run find it, for notebooks
# run on their own too.
if [[ -z "${LENET_DATA:-}" && -d ../shared/data/fashion-mnist ]]; then
    export LENET_DATA="$(cd ../shared/data/fashion-mnist && pwd)"
fi

# The notebooks with hidden asserts on a measured time or speed ratio.
TIMED=(
    notebooks/02_fashion_mnist.ipynb
    notebooks/02_solutions.ipynb
    notebooks/03_solutions.ipynb
    notebooks/05_solutions.ipynb
    notebooks/06_speed.ipynb
    notebooks/06_solutions.ipynb
    notebooks/07_lenet_1998.ipynb
    notebooks/08_speedrun.ipynb
)

targets=()
extra=()
while (($#)); do
    case "$1" in
        --all) targets=(); ALL=1 ;;
        --) shift; extra=("$@"); break ;;
        *) targets+=("$1") ;;
    esac
    shift
done
if [[ -z "${ALL:-}" && ${#targets[@]} -eq 0 ]]; then
    targets=("${TIMED[@]}")
fi

# PyTorch starts one compute thread per core, and its threads wait for each
# other at every operation: with one of two cores taken, the thread that
# shares it holds all the others up, and training runs 10 to 20 times
# slower (03_solutions' first cell of five short runs: over 17 minutes
# instead of one). A reader whose computer is busy does better with fewer
# threads, and so does this script: one thread unless STRESS_THREADS says
# otherwise (STRESS_THREADS=2 reproduces the slow case).
export OMP_NUM_THREADS="${STRESS_THREADS:-1}"
python3 -c "while True: pass" &
busy=$!
trap 'kill "$busy" 2>/dev/null || true' EXIT
echo "stress: process $busy keeps one core busy" \
     "($(nproc --all) cores on this machine; OMP_NUM_THREADS=$OMP_NUM_THREADS)"

start=$SECONDS
status=0
pytest "${targets[@]}" "${extra[@]}" || status=$?
echo "stress: pytest exited with $status after $((SECONDS - start)) s" \
     "with one core kept busy"
exit "$status"
