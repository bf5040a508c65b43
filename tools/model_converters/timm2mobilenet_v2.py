"""Convert timm's MobileNetV2 weights (mobilenetv2_050/100/140) to our layout.

    python tools/model_converters/timm2mobilenet_v2.py model.safetensors OUT.pth

SRC is timm's state dict as a .pth or the Hugging Face hub's model.safetensors. The
result is a whole classifier's checkpoint (``backbone.*``, ``head.fc.*``) for the
config of the same width (mobilenet-v2-w0.5 / mobilenet-v2 / mobilenet-v2-w1.4):
``load_from=OUT.pth``, or a backbone ``init_cfg=dict(type='Pretrained',
checkpoint=OUT.pth, prefix='backbone')``. timm pads as PyTorch does: no tf_padding.
"""

from mobilenet_v2.arguments import parse_conversion, run
from mobilenet_v2.messages import ConfigError


def main(args):
    import torch

    from mobilenet_v2.compat import safe_torch_load
    from mobilenet_v2.models.converters import timm_to_ours

    if args.src.endswith('.safetensors'):
        from safetensors.torch import load_file  # tensors only: nothing is unpickled

        state_dict = load_file(args.src)
    else:
        state_dict = safe_torch_load(args.src, map_location='cpu')
        state_dict = state_dict.get('state_dict', state_dict)
    try:
        converted = timm_to_ours(state_dict)
    except KeyError as err:  # nothing is written: a half-converted file would load wrong
        raise ConfigError(f'{args.src}: {err.args[0]}') from None
    torch.save(
        dict(state_dict=converted, meta=dict(converted_from=args.src, source='timm')), args.dst
    )
    print(f'wrote {args.dst}')


if __name__ == '__main__':
    run(lambda: parse_conversion(__doc__, "timm's weights: .pth or .safetensors"), main)
