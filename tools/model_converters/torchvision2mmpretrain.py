"""Convert a torchvision mobilenet_v2 state dict (features.N...) to our layout.

    python tools/model_converters/torchvision2mmpretrain.py mobilenet_v2-b0353104.pth OUT.pth

The result is a whole classifier's checkpoint (``backbone.*``, ``head.fc.*``), loadable
with ``load_from=OUT.pth`` or a backbone ``init_cfg=dict(type='Pretrained',
checkpoint=OUT.pth, prefix='backbone')``.
"""

import argparse

import torch

from mobilenet_v2.apis.cli import check_files, check_new_file, run_cli
from mobilenet_v2.compat import safe_torch_load
from mobilenet_v2.models.converters import torchvision_to_ours


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('src', help='torchvision checkpoint (a plain state dict)')
    parser.add_argument('dst', help='output checkpoint path')
    args = parser.parse_args()
    check_files(source=args.src)
    check_new_file(args.dst)
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
    run_cli(main)
