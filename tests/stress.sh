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

python3 -c "while True: pass" &
busy=$!
trap 'kill "$busy" 2>/dev/null || true' EXIT
echo "stress: process $busy keeps one core busy" \
     "($(nproc) cores on this machine)"

start=$SECONDS
status=0
pytest "${targets[@]}" "${extra[@]}" || status=$?
echo "stress: pytest exited with $status after $((SECONDS - start)) s" \
     "with one core kept busy"
exit "$status"
