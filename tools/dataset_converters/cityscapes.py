"""Cityscapes' gtFine labelIds maps to the trainIds our configs train on.

    python tools/dataset_converters/cityscapes.py data/cityscapes [--nproc 8]

Writes <name>_gtFine_labelTrainIds.png beside every <name>_gtFine_labelIds.png under
data/cityscapes/gtFine/{train,val,test}/<city>/ (from gtFine_trainvaltest.zip); files
already converted are left as they are. No cityscapesscripts needed
(mobilenet_v2/datasets/cityscapes.py holds the labelId -> trainId table).
"""

import argparse
import os.path as osp

from mobilenet_v2.arguments import check_at_least, parse, run
from mobilenet_v2.messages import ConfigError


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('root', help='the Cityscapes folder holding gtFine/ and leftImg8bit/')
    parser.add_argument('--nproc', type=int, default=1, help='processes')
    return parse(parser, check_arguments)


def check_arguments(args):
    check_at_least(args, 1, 'nproc')
    if not osp.isdir(args.root):
        raise ConfigError(f'{args.root} is no folder: give the Cityscapes folder holding gtFine/')


def main(args):
    from mobilenet_v2.datasets.cityscapes import convert_cityscapes

    written = convert_cityscapes(args.root, args.nproc)
    print(f'wrote {len(written)} *_gtFine_labelTrainIds.png under {args.root}/gtFine')


if __name__ == '__main__':
    run(parse_args, main)
