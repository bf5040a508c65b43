#!/usr/bin/env bash
# Shared by slurm_train.sh and slurm_test.sh:
#   bash tools/slurm_launch.sh TOOL PARTITION JOB_NAME [TOOL arguments...]
# runs `python -u tools/TOOL ... --launcher slurm` as one srun task per GPU over
# GPUS / GPUS_PER_NODE nodes; mmengine's slurm launcher takes rank, world size and the
# master node from srun's SLURM_* variables.
set -euo pipefail
TOOL=$1
PARTITION=$2
JOB_NAME=$3
if ! command -v srun >/dev/null; then
    echo "error: srun not found: run this on a Slurm node (without Slurm: tools/dist_${TOOL%.py}.sh)" >&2
    exit 2
fi
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-$((GPUS < 8 ? GPUS : 8))}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
# SRUN_ARGS is split into words on purpose: several srun options in one variable
# shellcheck disable=SC2086
srun -p "$PARTITION" --job-name="$JOB_NAME" --gres="gpu:$GPUS_PER_NODE" --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" --cpus-per-task="$CPUS_PER_TASK" --kill-on-bad-exit=1 \
    ${SRUN_ARGS:-} "${PYTHON:-python}" -u "$(dirname "$0")/$TOOL" "${@:4}" --launcher slurm
