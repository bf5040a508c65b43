"""Score a deployed model on the config's test set with the toolbox's own evaluator.

    python tools/deployment/test_deployed.py CONFIG MODEL [--shape H W] [--backend openvino]

MODEL is an .onnx file (export_onnx.py's, fp32 or int8, run by ONNX Runtime, or by
OpenVINO with --backend openvino) or a checkpoint (.pth: the same graph in PyTorch,
for the fp32 reference; with --int8 its network quantized by torchao's PT2E
X86InductorQuantizer, calibrated on --calib-images images of the config's training
set, run by torch.compile). Prints the metrics as JSON on the last line.
"""

import argparse
import json

from mobilenet_v2.arguments import OptionsAction, check_at_least, check_files, parse, run
from mobilenet_v2.messages import ConfigError


def check_graph(graph, scope: str, shape, path: str):
    """ConfigError unless the graph gives this config's task output at ``shape``."""
    from mobilenet_v2.deployment.export import OUTPUT_NAMES

    wanted = list(OUTPUT_NAMES[scope])
    if graph.output_names != wanted:
        hint = ' (re-export with --seg-output logits)' if 'seg_labels' in graph.output_names else ''
        raise ConfigError(
            f'{path} gives {graph.output_names}, a {scope} config needs {wanted}: '
            f'export the graph from this config{hint}'
        )
    if tuple(graph.input_shape[2:]) != shape:
        h, w = graph.input_shape[2:]
        raise ConfigError(f'{path} takes {h}x{w} images: give --shape {h} {w}')


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('config')
    parser.add_argument('model', help='.onnx file, or a .pth checkpoint for PyTorch')
    parser.add_argument(
        '--shape',
        type=int,
        nargs=2,
        metavar=('H', 'W'),
        help="input size: the graph's own for .onnx (checked when given), needed for .pth",
    )
    parser.add_argument('--threads', type=int)
    parser.add_argument(
        '--backend', choices=('onnxruntime', 'openvino'), default='onnxruntime', help='.onnx only'
    )
    parser.add_argument('--int8', action='store_true', help='.pth only: PT2E int8')
    parser.add_argument(
        '--calib-images', type=int, default=64, help='--int8 calibration images (default 64)'
    )
    parser.add_argument('--cfg-options', nargs='+', action=OptionsAction, default={})
    return parse(parser, check_arguments)


def check_arguments(args):
    check_files(config_file=args.config, model=args.model)
    if args.shape is None and not args.model.endswith('.onnx'):
        raise ConfigError(f'--shape H W: the input size to run {args.model} at')
    check_at_least(args, 1, 'threads', 'calib_images')
    if args.int8 and args.model.endswith('.onnx'):
        raise ConfigError('--int8 quantizes a .pth checkpoint; an .onnx graph is run as it is')
    if args.backend != 'onnxruntime' and not args.model.endswith('.onnx'):
        raise ConfigError(f'--backend {args.backend} runs an .onnx graph; {args.model} is none')


def main(args):
    import torch
    from mmengine.runner import load_checkpoint

    from mobilenet_v2.apis import build_model, check_checkpoint_fits, check_data_roots, load_config
    from mobilenet_v2.deployment import DeployModel, OpenVinoModel, OrtModel
    from mobilenet_v2.deployment.evaluate import evaluate_deployed
    from mobilenet_v2.deployment.pt2e import quantize_pt2e
    from mobilenet_v2.deployment.quantize import calibration_images

    cfg = load_config(args.config, args.cfg_options)
    shape = tuple(args.shape) if args.shape else None  # None: the graph's
    images = calibration_images(cfg, shape, args.calib_images) if args.int8 else None
    if args.model.endswith('.onnx'):
        runtime = OrtModel if args.backend == 'onnxruntime' else OpenVinoModel
        run = runtime(args.model, args.threads)
        shape = shape or tuple(run.input_shape[2:])
        if not all(isinstance(side, int) for side in shape):
            raise ConfigError(f'{args.model} takes images of any size: give --shape H W')
        check_graph(run, cfg.default_scope, shape, args.model)
    else:
        model = build_model(cfg)
        check_checkpoint_fits(model, args.model)
        load_checkpoint(model, args.model, map_location='cpu', logger='silent')
        run = DeployModel(model, cfg.default_scope, shape).eval()
        if args.int8:
            run = quantize_pt2e(run, images)
        if args.threads:
            torch.set_num_threads(args.threads)
    check_data_roots(cfg, loaders=('test',))  # after the model: its errors need no data
    metrics = evaluate_deployed(cfg, run, shape)
    graph = dict(onnxruntime='ONNX Runtime', openvino='OpenVINO')[args.backend]
    how = (
        graph if args.model.endswith('.onnx') else 'PyTorch' + (' int8 (PT2E)' if args.int8 else '')
    )
    print(f"{args.model} through {how} at {shape[0]}x{shape[1]}, on the config's test set:")
    # the evaluators' own units (percent, or COCO's AP in 0..1), to 4 decimals
    print(json.dumps({key: round(float(value), 4) for key, value in metrics.items()}))


if __name__ == '__main__':
    run(parse_args, main)
