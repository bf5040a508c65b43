#!/usr/bin/env bash
# Installs whatever is missing into a project-local virtual env (.venv by default).
#
# Idempotent: a second run checks each step and finishes in about a minute.
# mmcv 2.1.0 has no wheel for this torch on PyPI, so it is built once from its sdist
# (about 20 minutes on 2 cores) and the wheel is cached outside the work tree in
#   ${MOBILENET_V2_CACHE:-~/.cache/mobilenet_v2}/mmcv-2.1.0-torch<ver>-<py>-<cpu|cuXY>/
# Environment: VENV (venv path), PYTHON (interpreter that creates it), MAX_JOBS.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
# Absolute from here on: the mmcv build runs from inside its unpacked sdist.
case "$VENV" in /*) ;; *) VENV="$PWD/$VENV" ;; esac
PYTHON="${PYTHON:-python3}"
CACHE="${MOBILENET_V2_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mobilenet_v2}"
MMCV_VERSION=2.1.0

say() { printf '[install] %s\n' "$*"; }

# Reads the build's output (ninja prints "  [k/n] c++ ..." under pip -v) and says how far it is,
# every 10 files and at the last, with the elapsed time.
build_progress() {
    awk -v start="$(date +%s)" '
        $1 ~ /^\[[0-9]+\/[0-9]+\]$/ {
            split(substr($1, 2, length($1) - 2), kn, "/")
            if (kn[1] % 10 == 0 || kn[1] == kn[2]) {
                cmd = "date +%s"; cmd | getline now; close(cmd)
                printf "[install] mmcv build: %d/%d files compiled, %dm%02ds elapsed\n",
                    kn[1], kn[2], (now - start) / 60, (now - start) % 60
                fflush()
            }
        }'
}

# One function, called on the last line: bash reads it whole before running, so the
# script may be edited while an install is under way.
main() {
    step=""
    trap 'rc=$?; [ $rc -ne 0 ] && printf "[install] FAILED at step: %s (exit %s)\n" "$step" "$rc" >&2' EXIT

    step="create virtual env $VENV"
    if [ ! -x "$VENV/bin/python" ]; then
        say "$step"
        "$PYTHON" -m venv "$VENV"
    fi
    PY="$VENV/bin/python"
    PIP=("$PY" -m pip --disable-pip-version-check -q)

    step="install torch and torchvision (requirements/torch.txt)"
    if ! "$PY" -c 'import torch, torchvision
assert torch.__version__.split("+")[0] == "2.14.1", torch.__version__
assert torchvision.__version__.split("+")[0] == "0.29.1", torchvision.__version__' 2>/dev/null; then
        say "$step (several GB, a few minutes)"
        "$PY" -m pip --disable-pip-version-check install --progress-bar on \
            -r "$ROOT/requirements/torch.txt"
    fi
    TORCH_VER=$("$PY" -c 'import torch; print(torch.__version__.split("+")[0])')
    PY_TAG=$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
    # mmcv compiles CUDA kernels when torch sees a GPU or FORCE_CUDA=1: a separate cache entry
    OPS=$("$PY" -c 'import os, torch; cuda = torch.cuda.is_available() or os.environ.get(
"FORCE_CUDA") == "1"; print(f"cu{torch.version.cuda}" if cuda else "cpu")')
    WHEEL_DIR="$CACHE/mmcv-$MMCV_VERSION-torch$TORCH_VER-$PY_TAG-$OPS"

    step="install mmcv $MMCV_VERSION with compiled ops"
    if ! "$PY" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '$MMCV_VERSION'" 2>/dev/null; then
        if ! ls "$WHEEL_DIR"/mmcv-*.whl >/dev/null 2>&1; then
            step="build mmcv $MMCV_VERSION from its sdist"
            say "$step: this takes about 20 minutes on 2 cores (cached in $WHEEL_DIR afterwards)"
            "${PIP[@]}" install 'setuptools<70' wheel ninja
            src=$(mktemp -d)
            "${PIP[@]}" download --no-deps --no-binary :all: -d "$src" "mmcv==$MMCV_VERSION"
            tar -xzf "$src"/mmcv-"$MMCV_VERSION".tar.gz -C "$src"
            # torch >= 2.14's headers need C++20; mmcv 2.1.0 asks for C++17.
            sed -i 's/-std=c++17/-std=c++20/g' "$src/mmcv-$MMCV_VERSION/setup.py"
            mkdir -p "$WHEEL_DIR"
            build_log="$WHEEL_DIR.build.log"
            say "full compiler output: $build_log"
            (cd "$src/mmcv-$MMCV_VERSION" &&
                MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
                    "$PY" -m pip --disable-pip-version-check -v wheel --no-deps \
                    --no-build-isolation -w "$WHEEL_DIR.partial" .) 2>&1 |
                tee "$build_log" | build_progress ||
                { say "mmcv build failed; last lines of $build_log:"; tail -n 30 "$build_log"; exit 1; }
            mv "$WHEEL_DIR.partial"/mmcv-*.whl "$WHEEL_DIR"/ && rm -rf "$WHEEL_DIR.partial" "$src"
            "${PIP[@]}" install 'setuptools>=77,<81'  # torch's range again (runtime.txt)
            step="install mmcv $MMCV_VERSION with compiled ops"
        fi
        say "$step from $WHEEL_DIR"
        "${PIP[@]}" install --no-deps "$WHEEL_DIR"/mmcv-*.whl
    fi

    step="install the pinned stack, export tools and test tools (requirements/runtime.txt, optional.txt, tests.txt)"
    say "$step"
    "${PIP[@]}" install -r "$ROOT/requirements/runtime.txt" -r "$ROOT/requirements/optional.txt" \
        -r "$ROOT/requirements/tests.txt" \
        --constraint "$ROOT/requirements/torch.txt"

    step="install mobilenet_v2 in editable mode"
    if ! (cd / && "$PY" -c 'import mobilenet_v2') 2>/dev/null; then
        say "$step"
        "${PIP[@]}" install --no-deps --no-build-isolation -e "$ROOT"
    fi

    step="check the stack imports"
    "$PY" -c 'import mmcv.ops, mmseg, mmdet, mmpretrain, mobilenet_v2' ||
        { say "the stack does not import: see the error above"; exit 1; }
    say "ready: $VENV (torch $TORCH_VER, mmcv $MMCV_VERSION)"
}

main "$@"
