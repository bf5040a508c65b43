"""Params and multiply-adds (MAdds) of any config's model at an explicit input size."""

import argparse
import json

from mobilenet_v2.arguments import OptionsAction, check_files, check_shape, parse, run


class Parser(argparse.ArgumentParser):
    def format_help(self):
        from mobilenet_v2.analysis import CONVENTION  # imports torch: for --help only

        self.description = __doc__ + '\nCounting convention:\n' + CONVENTION
        return super().format_help()


def parse_args():
    parser = Parser(
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--shape',
        type=int,
        nargs=2,
        required=True,
        metavar=('H', 'W'),
        help='input height and width',
    )
    parser.add_argument(
        '--tf-atrous',
        action='store_true',
        help="count dilated convs as TensorFlow's space-to-batch computes them "
        "(the paper's Table 7 convention)",
    )
    parser.add_argument(
        '--json',
        action='store_true',
        help='print one JSON object: params, madds (integers), groups',
    )
    parser.add_argument(
        '--cfg-options', nargs='+', action=OptionsAction, default={}, help='override config keys'
    )
    return parse(
        parser, lambda args: (check_files(config_file=args.config), check_shape(args.shape))
    )


def main(args):
    import torch

    from mobilenet_v2.analysis import count_complexity, format_table
    from mobilenet_v2.apis import build_model, load_config

    cfg = load_config(args.config, args.cfg_options)
    model = build_model(cfg)
    result = count_complexity(
        model, torch.zeros(1, 3, *args.shape), tf_atrous=args.tf_atrous, mode='tensor'
    )
    if args.json:
        print(
            json.dumps(
                dict(
                    config=args.config,
                    shape=args.shape,
                    params=result.params,
                    madds=result.madds,
                    groups=result.groups,
                )
            )
        )
    else:
        print(
            f'{args.config} at {args.shape[0]}x{args.shape[1]}\n{format_table(result)}\n'
            f'params {result.params / 1e6:.3f}M, MAdds {result.madds / 1e6:.1f}M'
        )


if __name__ == '__main__':
    run(parse_args, main)
