"""Convert an mmdet checkpoint with its MobileNetV2 (e.g. SSDLite) to our block names.

    python tools/model_converters/mmdet2mobilenet_v2.py ssdlite_mobilenetv2.pth OUT.pth

mmdet names a block's convs expand_conv/depthwise_conv/linear_conv; ours (mmpretrain's)
are conv.0/1/2. Everything outside the backbone's blocks is kept as it is.
"""

import argparse

import torch

from mobilenet_v2.apis import ConfigError
from mobilenet_v2.apis.cli import check_files, check_new_file, run_cli
from mobilenet_v2.compat import safe_torch_load
from mobilenet_v2.models.converters import mmdet_to_ours


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('src', help='mmdet checkpoint')
    parser.add_argument('dst', help='output checkpoint path')
    args = parser.parse_args()
    check_files(source=args.src)
    check_new_file(args.dst)
    checkpoint = safe_torch_load(args.src, map_location='cpu')
    state_dict = checkpoint.get('state_dict', checkpoint)
    meta = dict(checkpoint.get('meta', {}), converted_from=args.src, source='mmdet')
    try:
        converted = mmdet_to_ours(state_dict)
    except KeyError as err:  # nothing is written: a half-converted file would load wrong
        raise ConfigError(f'{args.src}: {err.args[0]}') from None
    torch.save(dict(state_dict=converted, meta=meta), args.dst)
    print(f'wrote {args.dst}')


if __name__ == '__main__':
    run_cli(main)
