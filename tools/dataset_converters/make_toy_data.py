"""Write a built-in toy dataset in its official on-disk layout.

python tools/dataset_converters/make_toy_data.py imagenet data/toy_imagenet
"""

import argparse

from mobilenet_v2.arguments import TOY_SETS, parse, run


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('kind', choices=TOY_SETS)
    parser.add_argument('root', help='output directory (left as it is if already complete)')
    parser.add_argument('--seed', type=int, default=0)
    return parse(parser)


def main(args):
    from mobilenet_v2 import datasets

    generate = getattr(datasets, f'generate_toy_{args.kind}')
    print(f'toy {args.kind} data in {generate(args.root, seed=args.seed)}')


if __name__ == '__main__':
    run(parse_args, main)
