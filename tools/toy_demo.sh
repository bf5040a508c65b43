#!/usr/bin/env bash
# The main job on built-in toy data: generate the toy ImageNet-format set, train the
# MobileNetV2 classifier on it (a few minutes on 2 CPU cores), test the best checkpoint.
# Usage: bash tools/toy_demo.sh [WORK_DIR]   (PYTHON selects the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python}"
WORK_DIR="${1:-work_dirs/toy-imagenet}"
CONFIG=configs/toy/mobilenet-v2_toy-imagenet.py

"$PY" tools/dataset_converters/make_toy_data.py imagenet data/toy_imagenet
start=$(date +%s)
"$PY" tools/train.py "$CONFIG" --work-dir "$WORK_DIR"
trained=$(( $(date +%s) - start ))
best=$(ls -t "$WORK_DIR"/best_*.pth | head -n 1)
metrics=$("$PY" tools/test.py "$CONFIG" "$best" --work-dir "$WORK_DIR/test" | tail -n 1)
log=$(ls -t "$WORK_DIR"/*/*.log | head -n 1)
cat <<EOR

== toy ImageNet classification (10 classes, chance = 10% top-1) ==
held-out metrics : $metrics
training time    : ${trained}s
best checkpoint  : $best
training log     : $log
EOR
