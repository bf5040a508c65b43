"""The tools' entry (``run_cli``): one-line user errors, safe checkpoint loading, the
process group's end under torchrun, one-line toolbox warnings (arguments: ``arguments``)."""

import gc
import sys
import warnings

import torch.distributed as dist
from torch.distributed.elastic.multiprocessing.errors import record

from ..compat import DownloadError, UnsafeCheckpointError, install_safe_checkpoint_loading
from ..datasets import DataError
from ..messages import ConfigError, ToolboxWarning

USER_ERRORS = (ConfigError, DataError, DownloadError, UnsafeCheckpointError, FileNotFoundError)


def original_message(err: BaseException) -> str:
    """The error's own message; for one re-raised from a dataloader worker (torch
    wraps it as "Caught X in DataLoader worker process N. Original Traceback ..."),
    the original exception's last line without its type."""
    text = str(err)
    if 'Original Traceback' not in text:
        return text
    last = text.strip().splitlines()[-1]
    return last.split(': ', 1)[1] if ': ' in last else last


# Warnings of the pinned stack that every run would print and that ask nothing of the
# user: mmengine 0.10.7 imports pkg_resources; its setup_env announces the thread count it
# sets for each process; its DDP wrapper passes torch's deprecated broadcast_buffers;
# mmseg 1.2.2 builds its own losses through its deprecated build_loss, announces its
# avg_non_ignore default (our configs keep mmseg's recipes) and that a hook not asked to
# draw will not draw; mmengine's visualizer, built by the demo's inference APIs without a
# save_dir, says it has no local backend (the demo writes its picture itself).
for message in (
    'pkg_resources is deprecated',
    'Setting (OMP|MKL)_NUM_THREADS environment variable for each process',
    '`broadcast_buffers` is deprecated',
    '``build_loss`` would be deprecated',
    'Default ``avg_non_ignore`` is False',
    'The draw is False',
    "Failed to add <class 'mmengine.visualization.vis_backend.LocalVisBackend'>",
):
    warnings.filterwarnings('ignore', message=message)

_python_formatwarning = warnings.formatwarning


def _formatwarning(message, category, filename, lineno, line=None):
    """The toolbox's own warnings as one line (``warning: ...``); others as Python
    prints them (``warnings.formatwarning`` is the stdlib's hook for this)."""
    if issubclass(category, ToolboxWarning):
        return f'warning: {message}\n'
    return _python_formatwarning(message, category, filename, lineno, line)


warnings.formatwarning = _formatwarning


def shutdown_distributed():
    """End a launcher's process group while the interpreter is fully alive.

    mmengine never destroys the group, and destroying it is not enough by itself: the
    Runner sits in reference cycles (its hooks and loops point back at it), so its DDP
    model, whose reducer holds the gloo process group, would otherwise be freed by the
    interpreter's final collection. Gloo's threads then touch Python objects during
    finalization and the process aborts ("terminate called without an active
    exception"). So: wait for every rank to finish its last collective, collect the
    cycles (the group's last holders go), then destroy the group.
    """
    if not (dist.is_available() and dist.is_initialized()):
        return
    dist.barrier()
    gc.collect()
    dist.destroy_process_group()


def run_cli(main):
    """Run ``main()``; a user's mistake ends in one line on stderr and exit code 2.

    Checkpoints load through the allow-list (``install_safe_checkpoint_loading``) from
    the start: every tool that reads a checkpoint runs here.

    After a successful run under a launcher the process group is shut down
    (``shutdown_distributed``); under torchrun a failing rank's error is recorded for
    torchrun's failure summary (its "Root Cause" section), not only in the interleaved
    output of all ranks.
    """
    install_safe_checkpoint_loading()
    try:
        result = record(main)()
        shutdown_distributed()
        return result
    except USER_ERRORS as err:
        print(f'error: {original_message(err)}', file=sys.stderr)
        sys.exit(2)
    except KeyError as err:
        if 'registry' not in str(err):
            raise
        first_sentence = str(err.args[0]).split('. ')[0]  # mmengine's goes on with a URL
        print(f'error: {first_sentence} (check the type names in your config)', file=sys.stderr)
        sys.exit(2)
    except AssertionError as err:  # mmcv's LoadImageFromFile: 'failed to load image: FILE'
        if not original_message(err).startswith('failed to load image'):
            raise
        print(
            f'error: {original_message(err)}: the file is truncated or no image; regenerate '
            'it or remove it from the split',
            file=sys.stderr,
        )
        sys.exit(2)
    except ValueError as err:
        if 'Expected more than 1 value per channel when training' not in str(err):
            raise
        print(
            'error: a BatchNorm in training saw one value per channel: a batch of 1 through '
            'a layer on a 1x1 map (image pooling of ASPP/Mobile DeepLabv3, PSP scale 1, '
            "SSDLite's last extra layers). Train with train_dataloader.batch_size >= 2, or "
            "freeze those norms (norm_eval / model.decode_head.norm_cfg=dict(type='GN', ...))",
            file=sys.stderr,
        )
        sys.exit(2)
