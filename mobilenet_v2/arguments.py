"""The tools' command lines, checked before the stack is imported.

Importing torch, mmcv and a toolbox takes 6-10 s on 2 cores (torch alone 4-5 s), so a
mistyped option, a missing file or ``--runs 0`` is reported before that: this module
needs argparse and mmengine's config parser only (no torch). A tool parses with
``parse`` and runs with ``run``, which imports the tools' entry (``apis.cli.run_cli``)
only then; the tool's ``main(args)`` imports the stack itself.
"""

import argparse
import os.path as osp
import sys
from typing import Callable, Optional

from mmengine.config import DictAction

from .messages import ConfigError

# the benchmark's vocabulary (mobilenet_v2/analysis/benchmark.py), named here so that
# its command line is checked before the stack is imported
BACKENDS = ('pytorch', 'channels_last', 'compile', 'onnxruntime', 'openvino')
PRECISIONS = ('fp32', 'int8', 'fp16', 'bf16')
SCOPES = ('forward', 'end_to_end')
INT8_BACKENDS = ('onnxruntime', 'openvino', 'compile')  # QDQ graph; torchao PT2E + inductor
TOY_SETS = ('ade20k', 'cityscapes', 'coco', 'imagenet')  # make_toy_data.py writes them
MIN_SIDE = 32  # MobileNetV2's output stride: a smaller input leaves 1x1 maps or none


class OptionsAction(DictAction):
    """mmengine's ``--cfg-options`` parser; what it fails on becomes a ConfigError naming
    the way that works: a pair without ``=`` (its ValueError), unbalanced brackets (its
    AssertionError), a ``k=dict(...)`` value (its recursion)."""

    def __call__(self, parser, namespace, values, option_string=None):
        for pair in values:
            if '=' not in pair:
                raise ConfigError(
                    f'{option_string} {pair}: give KEY=VALUE pairs, e.g. '
                    'train_dataloader.batch_size=8'
                )
        try:
            super().__call__(parser, namespace, values, option_string)
        except RecursionError:
            raise ConfigError(
                f'{option_string}: mmengine cannot parse a dict(...) value; set the keys one '
                'by one, e.g. model.backbone.init_cfg.type=Pretrained '
                'model.backbone.init_cfg.checkpoint=PATH'
            ) from None
        except AssertionError:  # mmengine asserts its brackets are balanced
            raise ConfigError(
                f'{option_string} {" ".join(values)}: unbalanced brackets or quotes in a '
                "value; quote the whole pair for the shell, e.g. 'key=[1,2]'"
            ) from None


def add_common_args(parser: argparse.ArgumentParser):
    """--work-dir, --cfg-options and --launcher of train.py and test.py."""
    parser.add_argument(
        '--work-dir', help='where logs and checkpoints go (default: ./work_dirs/<config name>)'
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=OptionsAction,
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


def check_combination(backend: str, precision: str):
    """ConfigError for a backend or precision name the benchmark does not know, or a pair
    no machine runs (what this machine runs: ``analysis.benchmark.check_backend``)."""
    if backend not in BACKENDS:
        raise ConfigError(f'--backend must be one of {BACKENDS}, got {backend!r}')
    if precision not in PRECISIONS:
        raise ConfigError(f'--precision must be one of {PRECISIONS}, got {precision!r}')
    if precision == 'int8' and backend not in INT8_BACKENDS:
        raise ConfigError(f'--precision int8 runs on --backend {" or ".join(INT8_BACKENDS)}')
    if backend == 'onnxruntime' and precision not in ('fp32', 'int8'):
        raise ConfigError(
            f"--precision {precision}: ONNX Runtime's CPU provider has no {precision} kernels; "
            'use --backend openvino, pytorch or compile'
        )


def check_files(**paths: str):
    """Raise ConfigError naming the first of ``paths`` (what=path; ``config_file=``
    reads "config file") that is no file."""
    for what, path in paths.items():
        if not osp.isfile(path):
            raise ConfigError(f'{what.replace("_", " ")} {path} does not exist')


def check_new_file(path: str, what: str = 'output'):
    """ConfigError unless ``path`` names a new file in an existing folder: nothing
    already written is replaced."""
    if path.endswith(('/', osp.sep)) or osp.isdir(path):
        raise ConfigError(
            f'{what} {path} is a folder: give a file name, e.g. {osp.join(path, "out.pth")}'
        )
    if osp.exists(path):
        raise ConfigError(f'{what} {path} exists: give a new path (nothing is replaced)')
    folder = osp.dirname(osp.abspath(path))
    if not osp.isdir(folder):
        raise ConfigError(f'{what} {path}: its folder {folder} does not exist')


def check_png_out(path: str, replace: bool):
    """ConfigError unless ``--out`` ``path`` is a .png file name in an existing folder;
    an existing file is refused unless ``replace``."""
    if not path.lower().endswith('.png') or osp.basename(path).lower() == '.png':
        raise ConfigError(f'--out {path}: give a .png file name')
    if not osp.isdir(osp.dirname(osp.abspath(path))):
        raise ConfigError(f'--out {path}: give a .png file name in an existing folder')
    if osp.exists(path) and not replace:
        raise ConfigError(f'--out {path} exists: give another file name')


def check_at_least(args: argparse.Namespace, minimum: int, *names: str):
    """ConfigError naming the first option among ``names`` (attribute names of ``args``;
    None: not given) below ``minimum``."""
    for name in names:
        value = getattr(args, name)
        if value is not None and value < minimum:
            option = '--' + name.replace('_', '-')
            more = 'at least 1' if minimum == 1 else f'{minimum} or more'
            raise ConfigError(f'{option} must be {more}, got {value}')


def check_shape(shape):
    """ConfigError unless both sides of ``--shape H W`` are at least ``MIN_SIDE``."""
    if min(shape) < MIN_SIDE:
        raise ConfigError(f'--shape {shape[0]} {shape[1]}: each side must be >= {MIN_SIDE}')


def parse_conversion(description: str, source_help: str) -> argparse.Namespace:
    """``SRC DST`` of a weights converter (tools/model_converters/): SRC a file, DST a
    new file in an existing folder (nothing is replaced)."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('src', help=source_help)
    parser.add_argument('dst', help='output checkpoint path')
    return parse(parser, lambda args: (check_files(source=args.src), check_new_file(args.dst)))


def parse(
    parser: argparse.ArgumentParser, check: Optional[Callable[[argparse.Namespace], None]] = None
) -> argparse.Namespace:
    """``parser.parse_args()``, then ``check(args)``; a ConfigError from either ends the
    process with one line (``error: ...``) on stderr and exit code 2, as the tools'
    later errors do (``apis.cli.run_cli``)."""
    try:
        args = parser.parse_args()
        if check is not None:
            check(args)
    except ConfigError as err:
        print(f'error: {err}', file=sys.stderr)
        sys.exit(2)
    return args


def run(parse_args: Callable[[], argparse.Namespace], main: Callable[[argparse.Namespace], object]):
    """A tool's entry: ``parse_args()`` first (no torch), then ``main(args)`` under
    ``apis.cli.run_cli`` (one-line user errors, safe checkpoint loading, torchrun)."""
    args = parse_args()
    from .apis.cli import run_cli  # torch and mmengine's runner: after the arguments

    return run_cli(lambda: main(args))
