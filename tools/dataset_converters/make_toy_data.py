"""Write a built-in toy dataset in its official on-disk layout.

python tools/dataset_converters/make_toy_data.py imagenet data/toy_imagenet
"""

import argparse

from mobilenet_v2.datasets import (
    generate_toy_ade20k,
    generate_toy_cityscapes,
    generate_toy_coco,
    generate_toy_imagenet,
)

GENERATORS = {
    'imagenet': generate_toy_imagenet,
    'cityscapes': generate_toy_cityscapes,
    'ade20k': generate_toy_ade20k,
    'coco': generate_toy_coco,
}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('kind', choices=sorted(GENERATORS))
    parser.add_argument('root', help='output directory (left as it is if already complete)')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    print(f'toy {args.kind} data in {GENERATORS[args.kind](args.root, seed=args.seed)}')


if __name__ == '__main__':
    main()
