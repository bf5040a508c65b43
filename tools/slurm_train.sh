#!/usr/bin/env bash
# Usage: [GPUS=8] [GPUS_PER_NODE=8] [CPUS_PER_TASK=5] [SRUN_ARGS="..."] \
#        bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [train.py options]
# One task per GPU over GPUS / GPUS_PER_NODE nodes; mmengine's slurm launcher takes rank,
# world size and the master node from srun's SLURM_* variables.
set -euo pipefail
if [ $# -lt 4 ]; then
    echo "error: usage: bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [train.py options]" >&2
    exit 2
fi
if ! command -v srun >/dev/null; then
    echo "error: srun not found: run this on a Slurm node (without Slurm: tools/dist_train.sh)" >&2
    exit 2
fi
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
WORK_DIR=$4
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-$((GPUS < 8 ? GPUS : 8))}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
# SRUN_ARGS is split into words on purpose: several srun options in one variable
# shellcheck disable=SC2086
srun -p "$PARTITION" --job-name="$JOB_NAME" --gres="gpu:$GPUS_PER_NODE" --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" --cpus-per-task="$CPUS_PER_TASK" --kill-on-bad-exit=1 \
    ${SRUN_ARGS:-} "${PYTHON:-python}" -u "$(dirname "$0")/train.py" "$CONFIG" \
    --work-dir "$WORK_DIR" --launcher slurm "${@:5}"
