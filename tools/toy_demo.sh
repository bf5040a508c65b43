#!/usr/bin/env bash
# The main job on built-in toy data, end to end on a CPU in a few minutes.
#   bash tools/toy_demo.sh [segmentation|detection|classification]
# segmentation (default): toy Cityscapes-format streets -> train M-V2-D8 DeepLabV3+ ->
#   test (per-class IoU, colour overlays) -> one-image demo overlay -> inference fps.
# detection: toy COCO-format shapes -> train the paper's SSDLite from the toy ImageNet
#   classifier's backbone (trained first unless work_dirs/toy-imagenet holds it) -> test
#   (COCO mAP, boxes drawn) -> one-image demo with boxes -> inference fps.
# classification: toy ImageNet-format shapes -> train MobileNetV2 -> test top-1.
# Training progress goes to the terminal; the summary at the end names every file.
# PYTHON selects the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python}"

existing() { # PATH... -> the paths, after checking each exists (a summary never lies)
    for path in "$@"; do
        [ -e "$path" ] || {
            echo "error: the demo did not write $path" >&2
            exit 1
        }
    done
    echo "$@"
}

pictures() { # DIR -> "FOLDER/ (N pictures)": where a --show-dir run put its drawings
    local first
    first=$(find "$1" -type f \( -name '*.png' -o -name '*.jpg' \) | sort | head -n 1)
    [ -n "$first" ] || {
        echo "error: no pictures under $1" >&2
        exit 1
    }
    echo "$(dirname "$first")/ ($(find "$(dirname "$first")" -maxdepth 1 -type f | wc -l) pictures)"
}

train() { # CONFIG WORK_DIR [train.py options] -> prints the seconds it took
    local start earlier
    if [ -e "$2/last_checkpoint" ]; then # train.py never overwrites a run: keep it aside
        earlier="$2.earlier-$(date +%Y%m%d_%H%M%S)"
        mv "$2" "$earlier"
        echo "the earlier run in $2 is kept in $earlier" >&2
    fi
    start=$(date +%s)
    "$PY" tools/train.py "$1" --work-dir "$2" "${@:3}" >&2
    echo $(($(date +%s) - start))
}

test_metrics() { # CONFIG CKPT WORK_DIR [test.py options] -> the metrics line (JSON)
    "$PY" tools/test.py "$1" "$2" --work-dir "$3/test" "${@:4}" | tail -n 1
}

classifier() { # trains the toy ImageNet classifier; sets CLS_CKPT, CLS_METRICS, CLS_SECONDS
    local work_dir=work_dirs/toy-imagenet config=configs/toy/mobilenet-v2_toy-imagenet.py
    "$PY" tools/dataset_converters/make_toy_data.py imagenet data/toy_imagenet
    CLS_SECONDS=$(train "$config" "$work_dir")
    CLS_CKPT=$(ls -t "$work_dir"/best_*.pth | head -n 1)
    CLS_METRICS=$(test_metrics "$config" "$CLS_CKPT" "$work_dir")
    CLS_LOG=$(ls -t "$work_dir"/*/*.log | head -n 1)
}

segmentation() {
    local work_dir=work_dirs/toy-cityscapes
    local config=configs/toy/mobilenet-v2-d8_deeplabv3plus_toy-cityscapes.py
    "$PY" tools/dataset_converters/make_toy_data.py cityscapes data/toy_cityscapes
    local seconds ckpt metrics image fps baseline
    seconds=$(train "$config" "$work_dir")
    ckpt=$(ls -t "$work_dir"/iter_*.pth | head -n 1)
    metrics=$(test_metrics "$config" "$ckpt" "$work_dir" --show-dir "$work_dir/show")
    image=$(ls data/toy_cityscapes/leftImg8bit/val/toyville/*.png | head -n 1)
    "$PY" tools/demo/image_demo.py "$image" "$config" "$ckpt" --out "$work_dir/demo_overlay.png"
    fps=$("$PY" tools/analysis_tools/benchmark.py "$config" "$ckpt" --shape 128 256 --scope end_to_end | tail -n 1)
    baseline=$("$PY" -c 'import sys; from mobilenet_v2.datasets import layout_majority_miou
print(f"{layout_majority_miou(*sys.argv[1:]):.2f}")' data/toy_cityscapes cityscapes)
    cat <<EOF

== toy Cityscapes segmentation (M-V2-D8 DeepLabV3+, from scratch) ==
held-out metrics : $metrics
majority class   : mIoU $baseline (predicting the most frequent class everywhere)
training time    : ${seconds}s
checkpoint       : $(existing "$ckpt")
overlays         : $(pictures "$work_dir/show") and $(existing "$work_dir/demo_overlay.png")
inference speed  : $fps
training log     : $(existing "$(ls -t "$work_dir"/*/*.log | head -n 1)")
EOF
}

detection() {
    local work_dir=work_dirs/toy-coco
    local config=configs/toy/ssdlite-paper_mobilenetv2-toy-imagenet_toy-coco.py
    local ann=data/toy_coco/annotations/instances
    local backbone cls_seconds=0 seconds ckpt metrics image fps held_out baseline
    backbone=$(ls -t work_dirs/toy-imagenet/best_*.pth 2>/dev/null | head -n 1 || true)
    if [ -z "$backbone" ]; then
        echo "step 1/2: the toy ImageNet classifier whose backbone starts the detector" >&2
        classifier
        backbone=$CLS_CKPT cls_seconds=$CLS_SECONDS
    fi
    echo "step 2/2: SSDLite from the backbone of $backbone" >&2
    "$PY" tools/dataset_converters/make_toy_data.py coco data/toy_coco
    seconds=$(train "$config" "$work_dir" --cfg-options "model.backbone.init_cfg.checkpoint=$backbone")
    ckpt=$(ls -t "$work_dir"/iter_*.pth | head -n 1)
    metrics=$(test_metrics "$config" "$ckpt" "$work_dir" --show-dir "$work_dir/show")
    image=$(ls data/toy_coco/val2017/*.jpg | head -n 1)
    "$PY" tools/demo/image_demo.py "$image" "$config" "$ckpt" --out "$work_dir/demo_boxes.png"
    fps=$("$PY" tools/analysis_tools/benchmark.py "$config" "$ckpt" --shape 160 160 --scope end_to_end | tail -n 1)
    held_out=$("$PY" -c 'import json, sys; r = json.loads(sys.argv[1])
print("bbox mAP %.1f, mAP@0.5 %.1f" % (100 * r["coco/bbox_mAP"], 100 * r["coco/bbox_mAP_50"]))' \
        "$metrics")
    baseline=$("$PY" -c 'import sys; from mobilenet_v2.datasets import prior_box_coco_map
r = prior_box_coco_map(*sys.argv[1:])
print("bbox mAP %.1f, mAP@0.5 %.1f" % (r["bbox_mAP"], r["bbox_mAP_50"]))' \
        "${ann}_train2017.json" "${ann}_val2017.json")
    cat <<EOF

== toy COCO detection (the paper's SSDLite, backbone from the toy ImageNet classifier) ==
held-out metrics : $held_out (%; all: $metrics)
prior boxes      : $baseline (each class's mean training box in every image)
training time    : ${seconds}s detector + ${cls_seconds}s classifier
backbone from    : $(existing "$backbone")
checkpoint       : $(existing "$ckpt")
boxes drawn      : $(pictures "$work_dir/show") and $(existing "$work_dir/demo_boxes.png")
inference speed  : $fps
training log     : $(existing "$(ls -t "$work_dir"/*/*.log | head -n 1)")
EOF
}

classification() {
    classifier
    cat <<EOF

== toy ImageNet classification (10 classes, chance = 10% top-1) ==
held-out metrics : $CLS_METRICS
training time    : ${CLS_SECONDS}s
best checkpoint  : $(existing "$CLS_CKPT")
training log     : $(existing "$CLS_LOG")
EOF
}

# One function per task, called on the last line: bash reads the whole file first, so
# editing it while a demo runs cannot break the run.
case "${1:-segmentation}" in
segmentation | detection | classification) "${1:-segmentation}" ;;
*)
    echo "error: unknown task $1 (segmentation, detection or classification)" >&2
    exit 2
    ;;
esac
