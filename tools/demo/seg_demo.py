"""Segment one image and write the prediction as a colour overlay PNG.

python tools/demo/seg_demo.py IMAGE CONFIG CHECKPOINT --out overlay.png
"""

import argparse
import os.path as osp

from mmseg.apis import inference_model, init_model, show_result_pyplot

from mobilenet_v2.engine import ConfigError, load_config
from mobilenet_v2.engine.cli import run_cli


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('image', help='input image')
    parser.add_argument('config', help='an mmseg-scope config of this toolbox')
    parser.add_argument('checkpoint', help='trained weights')
    parser.add_argument('--out', default='overlay.png', help='output PNG')
    parser.add_argument('--opacity', type=float, default=0.5, help='of the colour mask')
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()
    if not osp.isfile(args.image):
        raise ConfigError(f'image {args.image} does not exist')
    if not osp.isfile(args.checkpoint):
        raise ConfigError(f'checkpoint {args.checkpoint} does not exist')
    cfg = load_config(args.config)
    if cfg.default_scope != 'mmseg':
        raise ConfigError(f'{args.config} is not a segmentation config ({cfg.default_scope})')
    model = init_model(cfg, args.checkpoint, device=args.device)
    result = inference_model(model, args.image)
    show_result_pyplot(
        model, args.image, result, opacity=args.opacity, show=False, out_file=args.out
    )
    print(f'wrote {args.out}')


if __name__ == '__main__':
    run_cli(main)
