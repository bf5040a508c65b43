"""Convert a torchvision mobilenet_v2 state dict (features.N...) to our layout.

    python tools/model_converters/torchvision2mmpretrain.py mobilenet_v2-b0353104.pth OUT.pth

The result is a whole classifier's checkpoint (``backbone.*``, ``head.fc.*``), loadable
with ``load_from=OUT.pth`` or a backbone ``init_cfg=dict(type='Pretrained',
checkpoint=OUT.pth, prefix='backbone')``.
"""

from mobilenet_v2.arguments import parse_conversion, run


def main(args):
    import torch

    from mobilenet_v2.compat import safe_torch_load
    from mobilenet_v2.models.converters import torchvision_to_ours

    state_dict = safe_torch_load(args.src, map_location='cpu')
    state_dict = state_dict.get('state_dict', state_dict)
    torch.save(
        dict(
            state_dict=torchvision_to_ours(state_dict),
            meta=dict(converted_from=args.src, source='torchvision'),
        ),
        args.dst,
    )
    print(f'wrote {args.dst}')


if __name__ == '__main__':
    run(lambda: parse_conversion(__doc__, 'torchvision checkpoint (a plain state dict)'), main)
