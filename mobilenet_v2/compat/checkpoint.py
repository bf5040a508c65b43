"""Safe checkpoint loading for mmengine 0.10.7 on torch >= 2.6.

mmengine calls ``torch.load`` without ``weights_only``; torch >= 2.6 then defaults to
``weights_only=True`` and refuses mmengine's own checkpoints (their message hub holds
``HistoryBuffer`` objects with numpy arrays), so ``--resume`` fails. We keep
``weights_only=True`` and allow-list exactly the classes that mmengine checkpoints
carry; any other pickled object is refused with ``UnsafeCheckpointError``. Nothing
ever falls back to unrestricted unpickling.
"""

import os.path as osp
import pickle
import re

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader


class UnsafeCheckpointError(RuntimeError):
    """A checkpoint holds a pickled object outside the allow-list."""


def _numpy_globals() -> list:
    multiarray = np._core.multiarray if hasattr(np, '_core') else np.core.multiarray
    dtype_classes = {
        type(np.dtype(t))
        for t in (
            np.float64,
            np.float32,
            np.float16,
            np.int64,
            np.int32,
            np.int16,
            np.int8,
            np.uint8,
            np.bool_,
        )
    }
    return [multiarray._reconstruct, multiarray.scalar, np.ndarray, np.dtype, *dtype_classes]


def _history_buffer_method(owner, name: str):
    """Stands in for ``getattr`` while unpickling: a HistoryBuffer pickles its statistics
    methods as ``getattr(HistoryBuffer, 'mean')``. Nothing else may be looked up."""
    if (
        owner is HistoryBuffer
        and not name.startswith('_')
        and callable(vars(HistoryBuffer).get(name))
    ):
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(f'Unsupported global: GLOBAL getattr({owner!r}, {name!r})')


# What mmengine's runner writes besides tensors: the message hub's HistoryBuffers
# (numpy arrays of logged scalars, their statistics methods) and numpy scalars.
ALLOWED_GLOBALS = [
    HistoryBuffer,
    *_numpy_globals(),
    (_history_buffer_method, '__builtin__.getattr'),
    (_history_buffer_method, 'builtins.getattr'),
]


def safe_torch_load(file, map_location=None):
    """``torch.load(weights_only=True)`` with mmengine's classes allow-listed.

    Raises:
        UnsafeCheckpointError: the file holds a pickled object outside the allow-list
            (named in the message), or is no file torch.save wrote; one line each.
    """
    name = getattr(file, 'name', file)
    with torch.serialization.safe_globals(ALLOWED_GLOBALS):
        try:
            return torch.load(file, map_location=map_location, weights_only=True)
        except pickle.UnpicklingError as err:
            found = re.search(r'Unsupported global: GLOBAL (\S+)', str(err))
            if found is None:  # not a pickle torch can read at all
                raise UnsafeCheckpointError(
                    f'cannot read checkpoint {name}: it is not a file written by torch.save'
                ) from None
            raise UnsafeCheckpointError(
                f'refusing to load checkpoint {name}: it holds a pickled object outside '
                f'the allow-list ({found.group(1)}); only weights, optimizer state and '
                'mmengine logs are loaded'
            ) from None
        except (KeyError, EOFError, ValueError, RuntimeError) as err:
            reason = (str(err).splitlines() or [''])[0][:120]
            raise UnsafeCheckpointError(
                f'cannot read checkpoint {name}: it is not a file written by torch.save '
                f'({type(err).__name__}: {reason})'
            ) from None


def load_from_local(filename, map_location=None):
    """mmengine's local-file scheme, loading through ``safe_torch_load``."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} does not exist')
    return safe_torch_load(filename, map_location)


def install_safe_checkpoint_loading():
    """Make every mmengine checkpoint route load mmengine's checkpoints safely (idempotent).

    Adds ``ALLOWED_GLOBALS`` to torch's allow-list with the public
    ``torch.serialization.add_safe_globals``, so every ``torch.load`` that keeps torch's
    default ``weights_only=True`` (mmengine's http, mmcls://, torchvision:// loaders,
    Inferencers) reads resume checkpoints and still refuses any other pickled object;
    and registers ``load_from_local`` for local files through mmengine's public
    ``CheckpointLoader.register_scheme``: it passes ``weights_only=True`` explicitly (so
    ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` opens no door) and raises
    ``UnsafeCheckpointError`` naming the file. Our tools call it when they start;
    importing ``mobilenet_v2`` does not. Call it once in scripts of your own (an
    Inferencer, a notebook) before loading checkpoints.
    """
    torch.serialization.add_safe_globals(ALLOWED_GLOBALS)
    CheckpointLoader.register_scheme(prefixes='', loader=load_from_local, force=True)
