"""Evaluate a checkpoint of any config (top-1, mIoU or COCO mAP, by the config).

python tools/test.py CONFIG CHECKPOINT [--out FILE_OR_DIR] [--show-dir DIR]
bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCS [...]
"""

import argparse
import json
import os

from mobilenet_v2.arguments import add_common_args, check_files, parse, run


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out',
        help='save predictions: a .pkl file (classification, '
        'detection) or a directory of label PNGs (segmentation)',
    )
    parser.add_argument('--show-dir', help='draw predictions into this directory')
    add_common_args(parser)
    args = parse(
        parser, lambda args: check_files(config_file=args.config, checkpoint=args.checkpoint)
    )
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(args):
    from mmengine.dist import is_main_process

    from mobilenet_v2.apis import (
        build_model,
        build_runner,
        check_checkpoint_fits,
        load_config,
        prepare_test,
    )

    cfg = load_config(args.config, args.cfg_options)
    prepare_test(
        cfg,
        args.checkpoint,
        work_dir=args.work_dir,
        out=args.out,
        show_dir=args.show_dir,
        launcher=args.launcher,
    )
    # never a metric of random weights; checked before the runner writes its work dir
    check_checkpoint_fits(build_model(cfg), args.checkpoint)
    metrics = build_runner(cfg).test()
    if is_main_process():  # every rank holds the gathered metrics: print them once
        for what, path in (('predictions drawn in', args.show_dir), ('results in', args.out)):
            if path:
                print(f'{what}: {os.path.abspath(path)}')
        print(json.dumps({k: round(float(v), 4) for k, v in metrics.items()}))


if __name__ == '__main__':
    run(parse_args, main)
