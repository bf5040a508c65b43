"""benchmark.py --sweep: every backend and precision this machine runs, each in its own
process (the thread pools, compiled code and memory of one never meet another's), one
JSON report each and the plot of those that gave a speed (plot_benchmarks.py)."""

import os
import os.path as osp
import subprocess
import sys
from typing import List

from ..apis.config import ConfigError, load_config
from .benchmark import calibration_for, runnable

# benchmark.py --sweep: every variant in this order, where the machine runs it
SWEEP = (
    ('pytorch', 'fp32'),
    ('channels_last', 'fp32'),
    ('compile', 'fp32'),
    ('onnxruntime', 'fp32'),
    ('openvino', 'fp32'),
    ('pytorch', 'bf16'),
    ('openvino', 'bf16'),
    ('compile', 'int8'),
    ('onnxruntime', 'int8'),
    ('openvino', 'int8'),
)
SWEEP_OPTIONS = {'--sweep': 1, '--variants': None, '--name': 1}  # None: all its values


def variant_command(
    script: str, argv: List[str], backend: str, precision: str, json_path: str
) -> List[str]:
    """benchmark.py's (``script``) command line ``argv`` (given with --sweep) for one
    variant: less --sweep's own options, plus --backend, --precision and --json;
    --compare-eager left out for eager fp32 itself."""
    kept, i = [], 0
    while i < len(argv):
        option = argv[i].split('=')[0]
        if option in SWEEP_OPTIONS and '=' in argv[i]:
            i += 1
        elif option in SWEEP_OPTIONS:
            i += 1
            while i < len(argv) and not argv[i].startswith('--'):
                i += 1
                if SWEEP_OPTIONS[option] == 1:
                    break
        else:
            if not (argv[i] == '--compare-eager' and (backend, precision) == ('pytorch', 'fp32')):
                kept.append(argv[i])
            i += 1
    variant = ['--backend', backend, '--precision', precision, '--json', json_path]
    end = kept.index('--') if '--' in kept else len(kept)  # options before a '--'
    return [sys.executable, script, *kept[:end], *variant, *kept[end:]]


def sweep(args, script: str, argv: List[str]):
    """--sweep: each variant in its own process (the thread pools, compiled code and
    memory of one never meet another's), then the plot of those that gave a speed.

    Raises:
        ConfigError: a --variants entry this machine cannot run, a file it would write
            exists (before anything runs), or a variant gave no speed (after the others
            ran and the plot is drawn).
    """
    name = args.name or osp.splitext(osp.basename(args.config))[0]
    wanted = SWEEP if not args.variants else [tuple(v.split(':')) for v in args.variants]
    cfg = load_config(args.config, args.cfg_options)
    plan, left_out, calib = [], [], None
    for backend, precision in wanted:
        why = runnable(backend, precision)
        if why is None and precision == 'int8':
            if calib is None:  # int8 needs the calibration images: read them once here
                try:
                    synthetic = not (args.checkpoint or args.images)
                    calibration_for(cfg, 'int8', tuple(args.shape), args.calib_images, synthetic)
                    calib = ''
                except ConfigError as err:
                    calib = f'no calibration images: {err}'
            why = calib or None
        if why and args.variants:
            raise ConfigError(f'--variants {backend}:{precision}: {why}')
        if why:
            left_out.append(f'{backend} {precision} left out: {why}')
        else:
            plan.append(
                (backend, precision, osp.join(args.sweep, f'{name}-{backend}-{precision}.json'))
            )
    png = osp.join(args.sweep, f'{name}.png')
    for path in [p for _, _, p in plan] + [png]:
        if osp.exists(path):
            raise ConfigError(f'--sweep: {path} exists: give another --sweep folder or --name')
    for line in left_out:
        print(line)
    os.makedirs(args.sweep, exist_ok=True)
    done, failed = [], []
    for i, (backend, precision, path) in enumerate(plan, 1):
        print(f'== [{i}/{len(plan)}] {backend} {precision}', flush=True)
        proc = subprocess.run(
            variant_command(script, argv, backend, precision, path),
            stderr=subprocess.PIPE,
            text=True,
        )
        for line in proc.stderr.splitlines():  # the variant's warnings, whatever its end
            if line.startswith('warning: '):
                print(line, file=sys.stderr, flush=True)
        if proc.returncode == 0:
            done.append(path)
        else:
            lines = proc.stderr.strip().splitlines() or ['(no message)']
            error = next((x for x in reversed(lines) if x.startswith('error: ')), lines[-1])
            print(f'{backend} {precision} gave no speed: {error}', flush=True)
            failed.append(f'{backend} {precision}')
    if done:
        plot = osp.join(osp.dirname(script), 'plot_benchmarks.py')
        subprocess.run([sys.executable, plot, *done, '--out', png], check=True)
    if failed:
        kept = f'{len(done)} of {len(plan)} reports and the plot are' if done else 'nothing is'
        raise ConfigError(
            f'--sweep: {", ".join(failed)} gave no speed (reasons above); {kept} in {args.sweep}'
        )
