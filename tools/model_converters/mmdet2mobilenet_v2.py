"""Convert an mmdet checkpoint with its MobileNetV2 (e.g. SSDLite) to our block names.

    python tools/model_converters/mmdet2mobilenet_v2.py ssdlite_mobilenetv2.pth OUT.pth

mmdet names a block's convs expand_conv/depthwise_conv/linear_conv; ours (mmpretrain's)
are conv.0/1/2. Everything outside the backbone's blocks is kept as it is.
"""

from mobilenet_v2.arguments import parse_conversion, run
from mobilenet_v2.messages import ConfigError


def main(args):
    import torch

    from mobilenet_v2.compat import safe_torch_load
    from mobilenet_v2.models.converters import mmdet_to_ours

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
    run(lambda: parse_conversion(__doc__, 'mmdet checkpoint'), main)
