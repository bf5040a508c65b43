#!/usr/bin/env bash
# Runs the tests that assert learning (a falling loss) under every CPU kernel set torch
# dispatches to on x86 (ATEN_CPU_CAPABILITY) with 1 and 2 threads, and prints the loss
# ratio each measured. Thresholds in the tests are set from these figures (the worst
# ratio plus a margin, stated in each test). About 25 minutes on 2 cores.
#   bash .ci/learning_margins.sh [.venv/bin/python]
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${1:-.venv/bin/python}"
TESTS='loss_falls or trains'
for capability in default avx2 avx512; do
    for threads in 1 2; do
        ATEN_CPU_CAPABILITY=$capability OMP_NUM_THREADS=$threads \
            "$PY" -m pytest -q -rP -k "$TESTS" tests 2>&1 |
            awk -v c="$capability" -v t="$threads" '
                /^_+ test_/ { name = $2 }
                /loss ratio/ { printf "%-8s %s threads  %-75s %s\n", c, t, name, $0 }
                /passed|failed/ && /in [0-9.]+s/ { print c, t, "threads:", $0 }'
    done
done
