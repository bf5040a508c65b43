"""Train any config of this toolbox (mmseg, mmdet or mmpretrain, by its default_scope).

python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
bash tools/dist_train.sh CONFIG NUM_PROCS [...]   # torchrun, one process per device
"""

import argparse
import os

from mobilenet_v2.arguments import add_common_args, check_files, parse, run


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--resume',
        nargs='?',
        const='auto',
        default=None,
        metavar='CKPT',
        help='resume from CKPT, or without CKPT from the latest checkpoint in the work dir',
    )
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision')
    add_common_args(parser)
    args = parse(parser, lambda args: check_files(config_file=args.config))
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(args):
    from mobilenet_v2.apis import build_runner, load_config, prepare_train

    cfg = load_config(args.config, args.cfg_options)
    prepare_train(
        cfg, work_dir=args.work_dir, resume=args.resume, amp=args.amp, launcher=args.launcher
    )
    build_runner(cfg).train()


if __name__ == '__main__':
    run(parse_args, main)
