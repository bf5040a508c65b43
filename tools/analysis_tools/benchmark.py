"""Inference speed of any config's model on synthetic input of an explicit size.

Times the network's forward (``mode='tensor'``: backbone and heads, no resizing of the
output or post-processing), after warm-up, over N runs; prints the median, the spread
and images per second. No dataset is needed.

    python tools/analysis_tools/benchmark.py CONFIG [CHECKPOINT] --shape 512 1024
"""

import argparse
import json

import torch
from mmengine.config import DictAction
from mmengine.runner import load_checkpoint

from mobilenet_v2.analysis import environment, time_inference
from mobilenet_v2.apis import build_model, load_config
from mobilenet_v2.apis.cli import run_cli


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', nargs='?', help='weights (random ones if omitted)')
    parser.add_argument('--shape', type=int, nargs=2, required=True, metavar=('H', 'W'))
    parser.add_argument('--batch-size', type=int, default=1)
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--runs', type=int, default=20)
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--json', action='store_true', help='print one JSON object')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={})
    return parser.parse_args()


def main():
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    model = build_model(cfg)
    if args.checkpoint:
        load_checkpoint(model, args.checkpoint, map_location='cpu')
    device = torch.device(args.device)
    model.to(device)
    inputs = torch.randn(args.batch_size, 3, *args.shape, device=device)
    result = time_inference(model, inputs, args.warmup, args.runs, mode='tensor')
    report = dict(
        config=args.config,
        shape=args.shape,
        device=str(device),
        **result,
        environment=environment(device),
    )
    if args.json:
        print(json.dumps(report))
    else:
        print(
            f"{args.config} at {args.shape[0]}x{args.shape[1]}, batch {args.batch_size}, "
            f"{device}: median {result['median_ms']:.1f} ms (min {result['min_ms']:.1f}, "
            f"max {result['max_ms']:.1f}, stdev {result['stdev_ms']:.1f}) over "
            f"{args.runs} runs = {result['fps']:.2f} img/s"
        )


if __name__ == '__main__':
    run_cli(main)
