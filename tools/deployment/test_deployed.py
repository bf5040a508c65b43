"""Score a deployed model on the config's test set with the toolbox's own evaluator.

    python tools/deployment/test_deployed.py CONFIG MODEL --shape H W

MODEL is an .onnx file (export_onnx.py's, fp32 or int8, run by ONNX Runtime) or a
checkpoint (.pth: the same graph in PyTorch, for the fp32 reference). Prints the
metrics as JSON on the last line.
"""

import argparse
import importlib
import json

import torch
from mmengine.config import DictAction
from mmengine.runner import load_checkpoint

from mobilenet_v2.apis import build_model, check_checkpoint_fits, load_config
from mobilenet_v2.apis.cli import check_files, run_cli
from mobilenet_v2.deployment import DeployModel, OrtModel
from mobilenet_v2.deployment.evaluate import evaluate_deployed


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
    if args.model.endswith('.onnx'):
        run = OrtModel(args.model, args.threads)
    else:
        for module in cfg.get('custom_imports', {}).get('imports', []):
            importlib.import_module(module)
        model = build_model(cfg)
        check_checkpoint_fits(model, args.model)
        load_checkpoint(model, args.model, map_location='cpu', logger='silent')
        run = DeployModel(model, cfg.default_scope, tuple(args.shape)).eval()
        if args.threads:
            torch.set_num_threads(args.threads)
    metrics = evaluate_deployed(cfg, run, tuple(args.shape))
    print(json.dumps({key: float(value) for key, value in metrics.items()}))


if __name__ == '__main__':
    run_cli(main)
