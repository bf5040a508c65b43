"""Inference speed of any config's model that a user can trust.

    python tools/analysis_tools/benchmark.py CONFIG [CHECKPOINT] --shape H W
        [--backend pytorch|channels_last|compile|onnxruntime|openvino]
        [--precision fp32|int8|bf16|fp16]
        [--scope forward end_to_end] [--images] [--batch-size B] [--threads T]
        [--compare-upstream] [--compare-eager] [--roofline] [--json FILE]
    python tools/analysis_tools/benchmark.py CONFIG [CHECKPOINT] --shape H W --sweep DIR
        [--variants BACKEND:PRECISION ...] [--name NAME] [the options above]

Times two scopes (mobilenet_v2/analysis/benchmark.py): ``forward`` (normalisation and
the network on a prepared batch) and ``end_to_end`` (decoded images of any size to
final results at their size: resize, network, post-processing with NMS), after
warm-up, over N runs: min, median, p90, images per second, peak memory. Input is
synthetic at --shape, or (--images) the first B images of the config's test set. A backend other
than eager fp32 is first checked against eager on the same input; beyond the stated
tolerance no speed is reported (random weights: fp32 only; reduced precision's
difference is printed, docs/benchmarks.md). --compare-upstream times mmseg's, mmdet's or
mmpretrain's own model (from its own config, our weights loaded, outputs checked) in
the same run, interleaved; --compare-eager does the same with our own eager fp32 model
(for models no toolbox has, and for backends of ours against each other). --roofline
times a large fp32 GEMM through the backend's library and reports the model's achieved
GFLOP/s as a share of it. --sweep runs every backend and precision this machine has
(or --variants), each in its own process, writes DIR/NAME-BACKEND-PRECISION.json and
draws DIR/NAME.png (plot_benchmarks.py).
"""

import argparse
import json
import os.path as osp
import sys

from mobilenet_v2.arguments import (
    BACKENDS,
    PRECISIONS,
    SCOPES,
    OptionsAction,
    check_at_least,
    check_combination,
    check_files,
    check_shape,
    parse,
    run,
)
from mobilenet_v2.messages import ConfigError


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,  # --sweep passes the command line on, less its own options
    )
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', nargs='?', help='weights (random ones if omitted)')
    parser.add_argument('--shape', type=int, nargs=2, required=True, metavar=('H', 'W'))
    parser.add_argument('--backend', help='pytorch (default), ' + ', '.join(BACKENDS[1:]))
    parser.add_argument('--precision', help='fp32 (default), ' + ', '.join(PRECISIONS[1:]))
    parser.add_argument(
        '--scope',
        nargs='+',
        default=list(SCOPES),
        choices=SCOPES,
        help='forward: a prepared batch through the network; end_to_end: decoded images to '
        'final results (default: both)',
    )
    parser.add_argument(
        '--images', action='store_true', help='the first --batch-size images of the test set'
    )
    parser.add_argument('--batch-size', type=int, default=1, help='images per call (default 1)')
    parser.add_argument('--warmup', type=int, default=5, help='untimed calls first (default 5)')
    parser.add_argument('--runs', type=int, default=20, help='timed calls (default 20)')
    parser.add_argument('--threads', type=int, help='torch, ONNX Runtime and OpenVINO threads')
    parser.add_argument(
        '--calib-images',
        type=int,
        default=32,
        help='int8 calibration images (default 32: a speed run; the deployment tools take 64)',
    )
    parser.add_argument('--tolerance', type=float, help='override the precision default')
    parser.add_argument(
        '--compare-upstream',
        action='store_true',
        help="also time mmseg's/mmdet's/mmpretrain's own model, interleaved",
    )
    parser.add_argument(
        '--compare-eager', action='store_true', help='also time our eager fp32, interleaved'
    )
    parser.add_argument(
        '--roofline', action='store_true', help='achieved GFLOP/s against a large GEMM'
    )
    parser.add_argument('--json', help='also write the report to this JSON file')
    parser.add_argument('--cfg-options', nargs='+', action=OptionsAction, default={})
    parser.add_argument('--sweep', metavar='DIR', help='every backend and precision, one plot')
    parser.add_argument('--variants', nargs='+', metavar='BACKEND:PRECISION', help='for --sweep')
    parser.add_argument('--name', help='for --sweep: the model name in file names and plot')
    return parse(parser, check_arguments)


def check_variants(args, check):
    """``check(backend, precision)`` on each of --variants, or on --backend/--precision;
    its ConfigError names the variant."""
    for variant in args.variants or [f'{args.backend}:{args.precision}']:
        try:
            check(*variant.split(':'))
        except ConfigError as err:
            raise ConfigError(f'--variants {variant}: {err}' if args.variants else err) from None


def check_arguments(args):
    """What the command line alone decides (the backends this machine runs: ``main``)."""
    if args.sweep:
        if args.backend or args.precision:
            raise ConfigError(
                '--sweep runs every backend and precision: choose some with --variants '
                'BACKEND:PRECISION, not --backend/--precision'
            )
        if args.json:
            raise ConfigError('--sweep writes DIR/NAME-BACKEND-PRECISION.json: drop --json')
        if osp.exists(args.sweep) and not osp.isdir(args.sweep):
            raise ConfigError(f'--sweep {args.sweep} is a file: give a folder')
        if args.name is not None and (not args.name or osp.sep in args.name):
            raise ConfigError(f'--name {args.name!r}: give a file name without folders')
        for variant in args.variants or ():
            if variant.count(':') != 1:
                raise ConfigError(
                    f'--variants {variant}: give BACKEND:PRECISION, e.g. onnxruntime:int8'
                )
        if args.variants:  # each once, in the order given
            args.variants = list(dict.fromkeys(args.variants))
    elif args.variants or args.name:
        raise ConfigError('--variants and --name go with --sweep DIR')
    args.backend, args.precision = args.backend or 'pytorch', args.precision or 'fp32'
    check_variants(args, check_combination)
    check_at_least(args, 1, 'runs', 'batch_size', 'calib_images', 'threads')
    check_at_least(args, 0, 'warmup')
    check_shape(args.shape)
    if args.tolerance is not None and not args.tolerance >= 0:  # NaN too
        raise ConfigError(f'--tolerance must be 0 or more, got {args.tolerance}')
    if (
        args.compare_eager
        and not args.sweep
        and (args.backend, args.precision) == ('pytorch', 'fp32')
    ):
        raise ConfigError(
            '--compare-eager times another --backend or --precision against eager fp32: '
            'this run is eager fp32'
        )
    if args.roofline and 'forward' not in args.scope:
        raise ConfigError('--roofline rates the forward scope: add forward to --scope')
    if args.json and osp.exists(args.json):
        raise ConfigError(f'--json {args.json} exists: give another file name')
    if args.json and not osp.isdir(osp.dirname(osp.abspath(args.json))):
        raise ConfigError(f'--json {args.json}: its folder does not exist')
    args.scope = list(dict.fromkeys(args.scope))  # each scope once, in the order given
    if args.checkpoint and args.checkpoint.endswith('.onnx'):
        raise ConfigError(
            f'{args.checkpoint}: give the .pth checkpoint; the benchmark exports (and for '
            'int8 quantizes) the graph itself: --backend onnxruntime or openvino'
        )
    check_files(
        config_file=args.config, **({'checkpoint': args.checkpoint} if args.checkpoint else {})
    )


def _rounds(span) -> str:
    return f' ({span[0]:.2f}-{span[1]:.2f}x round by round)'


def measure(args, scope, task, eager, candidate, inputs, upstream, tested) -> dict:
    """Check (non-eager only), time, and compare with upstream one scope; print a line."""
    from mobilenet_v2.analysis.benchmark import TOLERANCE, check_end_to_end, difference, refuses
    from mobilenet_v2.analysis.timing import SPREAD, compare_interleaved, time_calls, unsteady

    run = getattr(candidate, scope)
    entry = {}
    if tested:
        tolerance = args.tolerance if args.tolerance is not None else TOLERANCE[args.precision]
        if scope == 'end_to_end':
            measure, text = check_end_to_end(eager, candidate, inputs, args.precision)
        else:
            measure, text = difference(
                task, scope, eager.forward(inputs), run(inputs), args.precision
            )
        # random networks quantize unlike trained ones (docs/troubleshooting.md): reduced
        # precision's error on one says nothing of a trained model's
        held = bool(args.checkpoint) or args.precision == 'fp32'
        entry.update(
            difference_from_eager=text,
            difference_measure=measure,
            tolerance=tolerance if held else None,
        )
        if not held:
            text += f' (random weights: {args.precision} not held to it; give a checkpoint)'
        elif not refuses(measure, tolerance, held):
            text += f' (within its tolerance, {tolerance:g})'
        source = 'test-set images' if args.images else 'synthetic images'
        print(f'{scope}: {args.backend} {args.precision} vs eager fp32 on {source}: {text}')
        if refuses(measure, tolerance, held) and not held:  # a result that never passes
            raise ConfigError(
                f'{scope}: {args.backend} {args.precision} gives results of another shape or '
                'count, or not finite (above): no speed reported'
            )
        if refuses(measure, tolerance, held):
            raise ConfigError(
                f'{scope}: {args.backend} {args.precision} differs from eager fp32 by '
                f'{measure:.3g} > tolerance {tolerance}: no speed reported (--tolerance '
                'to accept it)'
            )
    entry.update(time_calls(lambda: run(inputs), args.batch_size, args.warmup, args.runs))
    if upstream is not None:
        entry.update(upstream.compare(scope, run, inputs, args.batch_size, args.warmup, args.runs))
    if args.compare_eager:
        reference = getattr(eager, scope)
        entry.update(
            compare_interleaved(
                'eager',
                lambda: run(inputs),
                lambda: reference(inputs),
                args.batch_size,
                args.warmup,
                args.runs,
            )
        )
    line = (
        f"{scope}: median {entry['median_ms']:.2f} ms (min {entry['min_ms']:.2f}, "
        f"p90 {entry['p90_ms']:.2f}) = {entry['fps']:.2f} img/s, "
        f"peak RSS {entry['peak_rss_mib']:.0f} MiB"
    )
    if entry['median_ms'] > 1.5 * entry['min_ms']:
        spread = entry['median_ms'] / entry['min_ms']
        line += f' (median {spread:.1f}x the min: a busy machine?)'
        entry['busy_machine'] = True
    for name, theirs, ours in (
        ('upstream', 'upstream', 'ours'),
        ('eager', 'our eager fp32', 'this'),
    ):
        if f'speedup_vs_{name}' in entry:
            line += (
                f"; {theirs} {entry[f'{name}_median_ms']:.2f} ms, {ours} "
                f"{entry[f'interleaved_with_{name}_median_ms']:.2f} ms interleaved: "
                f"{entry[f'speedup_vs_{name}']:.2f}x{_rounds(entry[f'speedup_vs_{name}_rounds'])}"
            )
    print(line)
    if unsteady(entry):
        entry['busy_machine'] = True
        print(
            f"{scope}: the ratio moved more than {SPREAD}x between rounds: the machine's speed "
            'changed during the run (other jobs?). Trust no ratio of this run: rerun with '
            '--threads below the number of idle cores, e.g. --threads 1'
        )
    return entry


def main(args):
    import torch
    from mmengine.runner import load_checkpoint

    from mobilenet_v2.analysis import environment
    from mobilenet_v2.analysis.benchmark import (
        PREPARATION_SEED,
        Candidate,
        calibration_for,
        check_backend,
        dataset_images,
        synthetic_images,
        to_batch,
        work_folder,
    )
    from mobilenet_v2.analysis.random_model import prepare_random_model
    from mobilenet_v2.analysis.sweep import sweep
    from mobilenet_v2.apis import build_model, check_checkpoint_fits, load_config
    from mobilenet_v2.deployment.runtime import NO_VNNI, int8_saturates

    check_variants(args, check_backend)  # what this machine runs
    if args.sweep:
        return sweep(args, osp.abspath(__file__), sys.argv[1:])
    if args.threads:
        torch.set_num_threads(args.threads)
    cfg = load_config(args.config, args.cfg_options)
    if args.compare_upstream:
        from mobilenet_v2.analysis.upstream import upstream_config

        upstream_cfg = upstream_config(cfg)  # one without it is refused before any export
    shape = tuple(args.shape)
    images = (
        dataset_images(cfg, args.batch_size)
        if args.images
        else synthetic_images(args.batch_size, shape)
    )
    synthetic = not (args.checkpoint or args.images)
    calib = calibration_for(cfg, args.precision, shape, args.calib_images, synthetic)
    torch.manual_seed(0)  # random weights, when no checkpoint is given, are reproducible
    model = build_model(cfg)
    if args.checkpoint:
        check_checkpoint_fits(model, args.checkpoint)
        load_checkpoint(model, args.checkpoint, map_location='cpu', logger='silent')
    random_weights = None
    if not args.checkpoint:  # BN statistics of 4 distinct images like the timed ones
        like = [] if synthetic else list(images[:4])
        kind = '4 synthetic' if synthetic else f'{len(like)} test-set and {4 - len(like)} synthetic'
        like += synthetic_images(4 - len(like), shape, seed=PREPARATION_SEED)
        random_weights = prepare_random_model(model, cfg.default_scope, shape, like, kind)
        print(random_weights)
    eager = Candidate(cfg, model, 'pytorch', 'fp32', shape, scopes=args.scope)
    tested = (args.backend, args.precision) != ('pytorch', 'fp32')
    candidate = (
        Candidate(
            cfg,
            model,
            args.backend,
            args.precision,
            shape,
            calib,
            work_folder(),
            args.threads,
            spinning=not (args.compare_upstream or args.compare_eager),
            scopes=args.scope,
            batch_size=args.batch_size,
        )
        if tested
        else eager
    )
    int8 = None
    if candidate.int8_bits:
        source = 'synthetic' if synthetic else 'training'
        int8 = dict(calibration_images=len(calib), calibration=source, bits=candidate.int8_bits)
        bits = candidate.int8_bits
        why = f' ({NO_VNNI})'
        print(
            f"int8: calibrated on {len(calib)} {source} images; {bits['weights']}-bit "
            f"weights, {bits['activations']}-bit activations{why if int8_saturates() else ''}"
        )
    batch = to_batch(images, shape)
    inputs = dict(forward=batch, end_to_end=images)
    report = dict(
        config=args.config,
        checkpoint=args.checkpoint,
        shape=list(shape),
        backend=args.backend,
        precision=args.precision,
        input='test set' if args.images else 'synthetic',
        **({'random_weights': random_weights} if random_weights else {}),
        **({'int8': int8} if int8 else {}),
        scopes={},
        environment=environment(torch.device('cpu')),
    )
    upstream = None
    if args.compare_upstream:
        from mobilenet_v2.analysis.upstream import UpstreamModel

        upstream = UpstreamModel(cfg, model, shape, upstream_cfg)
    for scope in args.scope:
        report['scopes'][scope] = measure(
            args, scope, cfg.default_scope, eager, candidate, inputs[scope], upstream, tested
        )
    if args.roofline and 'forward' in report['scopes']:
        from mobilenet_v2.analysis.roofline import roofline

        report['roofline'] = roofline(model, shape, args.backend, report['scopes']['forward'])
        r = report['roofline']
        r['peak_precision'] = 'fp32'  # int8/bf16 runs are rated against it too: > 100%
        print(
            f"roofline: {r['achieved_gflops']:.1f} GFLOP/s achieved ({args.precision}) of the "
            f"fp32 peak {r['peak_gflops']:.1f} ({r['gemm']}) = {r['fraction_of_peak']:.1%}"
        )
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(report, f, indent=1)
        print(f'wrote {args.json}')


if __name__ == '__main__':
    run(parse_args, main)
