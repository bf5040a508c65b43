#!/usr/bin/env bash
# The main job on built-in toy data, end to end on a CPU in a few minutes.
#   bash tools/toy_demo.sh [segmentation|detection|classification] [WORK_DIR]
# segmentation (default): toy Cityscapes-format streets -> train M-V2-D8 DeepLabV3+ ->
#   test (per-class IoU, colour overlays) -> one-image demo overlay -> inference fps.
# detection: toy COCO-format shapes -> train the paper's SSDLite -> test (COCO mAP, boxes
#   drawn) -> one-image demo with boxes -> inference fps.
# classification: toy ImageNet-format shapes -> train MobileNetV2 -> test top-1.
# PYTHON selects the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python}"
TASK="${1:-segmentation}"

train() {  # CONFIG WORK_DIR -> prints the seconds it took
    local start
    start=$(date +%s)
    "$PY" tools/train.py "$1" --work-dir "$2" >&2
    echo $(($(date +%s) - start))
}

case "$TASK" in
segmentation)
    WORK_DIR="${2:-work_dirs/toy-cityscapes}"
    CONFIG=configs/toy/mobilenet-v2-d8_deeplabv3plus_toy-cityscapes.py
    "$PY" tools/dataset_converters/make_toy_data.py cityscapes data/toy_cityscapes
    seconds=$(train "$CONFIG" "$WORK_DIR")
    ckpt=$(ls -t "$WORK_DIR"/iter_*.pth | head -n 1)
    metrics=$("$PY" tools/test.py "$CONFIG" "$ckpt" --work-dir "$WORK_DIR/test" \
        --show-dir "$WORK_DIR/show" | tail -n 1)
    image=$(ls data/toy_cityscapes/leftImg8bit/val/toyville/*.png | head -n 1)
    "$PY" tools/demo/image_demo.py "$image" "$CONFIG" "$ckpt" --out "$WORK_DIR/demo_overlay.png"
    fps=$("$PY" tools/analysis_tools/benchmark.py "$CONFIG" "$ckpt" --shape 128 256 | tail -n 1)
    baseline=$("$PY" -c 'import sys; from mobilenet_v2.benchmark import layout_majority_miou
print(f"{layout_majority_miou(*sys.argv[1:]):.2f}")' data/toy_cityscapes cityscapes)
    summary="== toy Cityscapes segmentation (M-V2-D8 DeepLabV3+, from scratch) ==
held-out metrics : $metrics
majority class   : mIoU $baseline (predicting the most frequent class everywhere)
training time    : ${seconds}s
checkpoint       : $ckpt
overlays         : $WORK_DIR/show/ (tools/test.py --show-dir), $WORK_DIR/demo_overlay.png
inference speed  : $fps"
    ;;
detection)
    WORK_DIR="${2:-work_dirs/toy-coco}"
    CONFIG=configs/toy/ssdlite-paper_mobilenetv2_toy-coco.py
    "$PY" tools/dataset_converters/make_toy_data.py coco data/toy_coco
    seconds=$(train "$CONFIG" "$WORK_DIR")
    ckpt=$(ls -t "$WORK_DIR"/iter_*.pth | head -n 1)
    metrics=$("$PY" tools/test.py "$CONFIG" "$ckpt" --work-dir "$WORK_DIR/test" \
        --show-dir "$WORK_DIR/show" | tail -n 1)
    image=$(ls data/toy_coco/val2017/*.jpg | head -n 1)
    "$PY" tools/demo/image_demo.py "$image" "$CONFIG" "$ckpt" --out "$WORK_DIR/demo_boxes.png"
    fps=$("$PY" tools/analysis_tools/benchmark.py "$CONFIG" "$ckpt" --shape 160 160 | tail -n 1)
    summary="== toy COCO detection (the paper's SSDLite, from scratch) ==
held-out metrics : $metrics
training time    : ${seconds}s
checkpoint       : $ckpt
boxes drawn      : $WORK_DIR/show/ (tools/test.py --show-dir), $WORK_DIR/demo_boxes.png
inference speed  : $fps"
    ;;
classification)
    WORK_DIR="${2:-work_dirs/toy-imagenet}"
    CONFIG=configs/toy/mobilenet-v2_toy-imagenet.py
    "$PY" tools/dataset_converters/make_toy_data.py imagenet data/toy_imagenet
    seconds=$(train "$CONFIG" "$WORK_DIR")
    ckpt=$(ls -t "$WORK_DIR"/best_*.pth | head -n 1)
    metrics=$("$PY" tools/test.py "$CONFIG" "$ckpt" --work-dir "$WORK_DIR/test" | tail -n 1)
    summary="== toy ImageNet classification (10 classes, chance = 10% top-1) ==
held-out metrics : $metrics
training time    : ${seconds}s
best checkpoint  : $ckpt"
    ;;
*)
    echo "error: unknown task $TASK (segmentation, detection or classification)" >&2
    exit 2
    ;;
esac
log=$(ls -t "$WORK_DIR"/*/*.log | head -n 1)
printf '\n%s\ntraining log     : %s\n' "$summary" "$log"
