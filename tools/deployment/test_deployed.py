"""Score a deployed model on the config's test set with the toolbox's own evaluator.

    python tools/deployment/test_deployed.py CONFIG MODEL --shape H W

MODEL is an .onnx file (export_onnx.py's, fp32 or int8, run by ONNX Runtime) or a
checkpoint (.pth: the same graph in PyTorch, for the fp32 reference). Prints the
metrics as JSON on the last line.
"""

import argparse
import json

import torch
from mmengine.config import DictAction
from mmengine.runner import load_checkpoint

from mobilenet_v2.apis import (
    ConfigError,
    build_model,
    check_checkpoint_fits,
    check_data_roots,
    load_config,
)
from mobilenet_v2.apis.cli import check_files, run_cli
from mobilenet_v2.deployment import DeployModel, OrtModel
from mobilenet_v2.deployment.evaluate import evaluate_deployed
from mobilenet_v2.deployment.export import OUTPUT_NAMES


def check_graph(graph: OrtModel, scope: str, shape, path: str):
    """ConfigError unless the graph gives this config's task output at ``shape``."""
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


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('config')
    parser.add_argument('model', help='.onnx file, or a .pth checkpoint for PyTorch')
    parser.add_argument('--shape', type=int, nargs=2, required=True, metavar=('H', 'W'))
    parser.add_argument('--threads', type=int)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={})
    args = parser.parse_args()
    check_files(config=args.config, model=args.model)
    cfg = load_config(args.config, args.cfg_options)
    if args.threads is not None and args.threads < 1:
        raise ConfigError(f'--threads must be at least 1, got {args.threads}')
    if args.model.endswith('.onnx'):
        run = OrtModel(args.model, args.threads)
        check_graph(run, cfg.default_scope, tuple(args.shape), args.model)
    else:
        model = build_model(cfg)
        check_checkpoint_fits(model, args.model)
        load_checkpoint(model, args.model, map_location='cpu', logger='silent')
        run = DeployModel(model, cfg.default_scope, tuple(args.shape)).eval()
        if args.threads:
            torch.set_num_threads(args.threads)
    check_data_roots(cfg, loaders=('test',))  # after the model: its errors need no data
    metrics = evaluate_deployed(cfg, run, tuple(args.shape))
    print(json.dumps({key: float(value) for key, value in metrics.items()}))


if __name__ == '__main__':
    run_cli(main)
