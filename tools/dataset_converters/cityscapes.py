"""Cityscapes' gtFine labelIds maps to the trainIds our configs train on.

    python tools/dataset_converters/cityscapes.py data/cityscapes [--nproc 8]

Writes <name>_gtFine_labelTrainIds.png beside every <name>_gtFine_labelIds.png under
data/cityscapes/gtFine/{train,val,test}/<city>/ (from gtFine_trainvaltest.zip); files
already converted are left as they are. No cityscapesscripts needed
(mobilenet_v2/datasets/cityscapes.py holds the labelId -> trainId table).
"""

import argparse

from mobilenet_v2.apis import ConfigError
from mobilenet_v2.apis.cli import run_cli
from mobilenet_v2.datasets.cityscapes import convert_cityscapes


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('root', help='the Cityscapes folder holding gtFine/ and leftImg8bit/')
    parser.add_argument('--nproc', type=int, default=1, help='processes')
    args = parser.parse_args()
    if args.nproc < 1:
        raise ConfigError(f'--nproc must be at least 1, got {args.nproc}')
    written = convert_cityscapes(args.root, args.nproc)
    print(f'wrote {len(written)} *_gtFine_labelTrainIds.png under {args.root}/gtFine')


if __name__ == '__main__':
    run_cli(main)
