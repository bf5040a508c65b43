#!/usr/bin/env bash
# The figures of docs/benchmarks.md: every model x backend x precision, one JSON each
# (tools/analysis_tools/benchmark.py), then the plot. Weights are random (speed does not
# depend on them), their BN statistics and int8's calibration measured on synthetic
# images (mobilenet_v2/analysis/random_model.py); fp32 outputs are checked against eager.
#   bash tools/analysis_tools/benchmark_figures.sh [OUT_DIR]     (~45 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
OUT=${1:-work_dirs/benchmarks}
mkdir -p "$OUT"
THREADS=${THREADS:-2}

# MODELS="mobile-deeplabv3-512 deeplabv3plus-d8-512" bash ... runs those models' rows only
MODELS=${MODELS:-classifier-224 ssdlite-320 mobile-deeplabv3-512 deeplabv3plus-d8-512}

run() {  # name config shape_h shape_w runs backend precision [extra args...]
    local name=$1 config=$2 h=$3 w=$4 runs=$5 backend=$6 precision=$7
    shift 7
    [[ " $MODELS " == *" $name "* ]] || return 0
    local json="$OUT/$name-$backend-$precision.json"
    rm -f "$json"
    echo "== $name $backend $precision"
    "$PY" tools/analysis_tools/benchmark.py "$config" --shape "$h" "$w" --backend "$backend" \
        --precision "$precision" --threads "$THREADS" --runs "$runs" --json "$json" "$@"
}

CLS=configs/mobilenet_v2/mobilenet-v2_8xb32_in1k.py
MDL=configs/mobile_deeplabv3/mobilenet-v2-os16_mobile-deeplabv3-noaspp_4xb2-80k_cityscapes-512x1024.py
DLV3P=configs/deeplabv3plus/mobilenet-v2-d8_deeplabv3plus_4xb2-80k_cityscapes-512x1024.py
SSD=configs/ssdlite/ssdlite_mobilenetv2-scratch_8xb24-600e_coco.py

# COMBOS="compile int8" bash ... reruns some rows; the plot takes every JSON in OUT
DEFAULT="pytorch fp32,onnxruntime fp32,onnxruntime int8,openvino fp32,openvino int8"
DEFAULT+=",compile fp32,compile int8"
if "$PY" -c "from mobilenet_v2.deployment import openvino_precisions as p; exit('bf16' not in p())"
then
    DEFAULT+=",openvino bf16"  # where the CPU has AVX-512 BF16 or AMX
fi
COMBOS=${COMBOS:-$DEFAULT}
IFS=, read -ra combos <<< "$COMBOS"
for bp in "${combos[@]}"; do
    set -- $bp
    run classifier-224 "$CLS" 224 224 30 "$1" "$2" --compare-upstream --roofline
    run ssdlite-320 "$SSD" 320 320 30 "$1" "$2" --compare-upstream
    eager=()  # no upstream model exists: against our eager fp32, interleaved
    [ "$bp" = "pytorch fp32" ] || eager=(--compare-eager)
    run mobile-deeplabv3-512 "$MDL" 512 512 10 "$1" "$2" --roofline "${eager[@]}"
    run deeplabv3plus-d8-512 "$DLV3P" 512 512 5 "$1" "$2" --compare-upstream --roofline
done
rm -f "$OUT/benchmarks.png"
"$PY" tools/analysis_tools/plot_benchmarks.py "$OUT"/*.json --out "$OUT/benchmarks.png"
