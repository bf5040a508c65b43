"""Shared command-line plumbing: --cfg-options parsing and one-line user errors."""

import argparse
import os.path as osp
import sys
import warnings

import torch.distributed as dist
from mmengine.config import DictAction

from ..utils import UnsafeCheckpointError
from .config import ConfigError

USER_ERRORS = (ConfigError, UnsafeCheckpointError, FileNotFoundError)

# mmengine 0.10.7 imports pkg_resources on every run; the warning tells users nothing.
warnings.filterwarnings('ignore', message='pkg_resources is deprecated', category=UserWarning)


def add_common_args(parser: argparse.ArgumentParser):
    parser.add_argument(
        '--work-dir', help='where logs and checkpoints go (default: ./work_dirs/<config name>)'
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        default={},
        help='override config keys, e.g. train_dataloader.batch_size=8',
    )
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher (pytorch: under torchrun)',
    )
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0, help=argparse.SUPPRESS)


def check_files(**paths: str):
    """Raise ConfigError naming the first of ``paths`` (what=path) that is no file."""
    for what, path in paths.items():
        if not osp.isfile(path):
            raise ConfigError(f'{what} {path} does not exist')


def run_cli(main):
    """Run ``main()``; a user's mistake ends in one line on stderr and exit code 2.

    After a successful run under a launcher the process group is destroyed: mmengine
    leaves it up, and a rank that exits while gloo's threads still run can abort
    ("terminate called without an active exception").
    """
    try:
        result = main()
        if dist.is_available() and dist.is_initialized():
            dist.destroy_process_group()
        return result
    except USER_ERRORS as err:
        print(f'error: {err}', file=sys.stderr)
        sys.exit(2)
    except KeyError as err:
        if 'registry' not in str(err):
            raise
        first_sentence = str(err.args[0]).split('. ')[0]  # mmengine's goes on with a URL
        print(f'error: {first_sentence} (check the type names in your config)', file=sys.stderr)
        sys.exit(2)
