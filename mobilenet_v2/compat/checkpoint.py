"""Safe checkpoint loading for mmengine 0.10.7 on torch >= 2.6.

mmengine calls ``torch.load`` without ``weights_only``; torch >= 2.6 then defaults to
``weights_only=True`` and refuses mmengine's own checkpoints (their message hub holds
``HistoryBuffer`` objects with numpy arrays), so ``--resume`` fails. We keep
``weights_only=True`` and allow-list exactly the classes that mmengine checkpoints
carry; any other pickled object is refused with ``UnsafeCheckpointError``. Nothing
ever falls back to unrestricted unpickling.
"""

import os
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
            np.uint64,
            np.uint32,
            np.uint16,
            np.uint8,
            np.bool_,
            np.str_,
            np.bytes_,
        )
    }
    # checkpoints written under numpy 1.x name numpy.core, which numpy 2 renamed _core
    numpy1 = [
        (f, f'numpy.core.multiarray.{f.__name__}')
        for f in (multiarray._reconstruct, multiarray.scalar)
    ]
    return [
        multiarray._reconstruct,
        multiarray.scalar,
        np.ndarray,
        np.dtype,
        *dtype_classes,
        *numpy1,
    ]


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


class DownloadError(RuntimeError):
    """A checkpoint URL could not be fetched (offline, moved); the message says the way out."""


REMOTE_PREFIXES = (
    'http://',
    'https://',
    'open-mmlab://',
    'openmmlab://',
    'mmcls://',
    'torchvision://',
)


def checkpoint_url(filename: str) -> str:
    """The URL behind one of mmengine's checkpoint schemes, from mmengine's own public
    tables.

    Raises:
        DownloadError: the name is in none of them.
    """
    from mmengine.runner.checkpoint import (
        get_deprecated_model_names,
        get_external_models,
        get_mmcls_models,
        get_torchvision_models,
    )

    scheme, name = filename.split('://', 1)
    if scheme in ('http', 'https'):
        return filename
    if scheme in ('open-mmlab', 'openmmlab'):
        name = get_deprecated_model_names().get(name, name)
        table = get_external_models()
    elif scheme == 'mmcls':
        table = get_mmcls_models()
    else:  # torchvision
        table = get_torchvision_models()
        name = name[: -len('_pretrained')] if name.endswith('_pretrained') else name
    url = table.get(name) or ''
    if not url.startswith(('http://', 'https://')):
        raise DownloadError(f'checkpoint {filename}: mmengine knows no model {name!r} there')
    return url


def load_from_remote(filename: str, map_location=None):
    """mmengine's http(s)://, open-mmlab://, mmcls:// and torchvision:// schemes, safe.

    mmengine 0.10.7 loads them through ``torch.hub.load_state_dict_from_url``, whose
    ``weights_only`` defaults to False even in torch 2.14: a checkpoint from a URL could
    run code. Here the file is downloaded (rank 0 of a launcher first, into torch hub's
    ``checkpoints`` folder, where mmengine caches it too) and read by
    ``safe_torch_load``.

    Raises:
        DownloadError: offline or the URL fails; the message names it and the way out.
        UnsafeCheckpointError: the file holds more than weights.
    """
    import urllib.error

    from mmengine.dist import barrier, get_dist_info

    url = checkpoint_url(filename)
    folder = osp.join(torch.hub.get_dir(), 'checkpoints')
    path = osp.join(folder, osp.basename(urllib.parse.urlparse(url).path))

    def fetch():  # download_url_to_file writes a temporary file, then renames it
        if osp.isfile(path):
            return
        os.makedirs(folder, exist_ok=True)
        try:
            torch.hub.download_url_to_file(url, path, progress=False)
        except (urllib.error.URLError, OSError) as err:
            raise DownloadError(
                f'cannot download checkpoint {filename} ({getattr(err, "reason", err)}): '
                f'offline? Put the file at {path}, point the config at a local copy '
                '(--cfg-options model.backbone.init_cfg.checkpoint=PATH or load_from=PATH), '
                'or train from scratch with model.backbone.init_cfg=None'
            ) from None

    rank, world_size = get_dist_info()
    if rank == 0:
        fetch()
    if world_size > 1:
        barrier()
        if rank > 0:  # another machine's ranks: a no-op where rank 0 fetched it
            fetch()
    checkpoint = safe_torch_load(path, map_location)
    if filename.startswith('mmcls://'):
        # what mmengine's mmcls:// loader returns: an mmpretrain classifier's backbone
        # weights without their 'backbone.' prefix, for a backbone's Pretrained init
        state_dict = checkpoint.get('state_dict', checkpoint)
        prefix = 'backbone.'
        return dict(
            state_dict={k[len(prefix) :]: v for k, v in state_dict.items() if k.startswith(prefix)}
        )
    return checkpoint


def install_safe_checkpoint_loading():
    """Make every mmengine checkpoint route load mmengine's checkpoints safely (idempotent).

    Adds ``ALLOWED_GLOBALS`` to torch's allow-list with the public
    ``torch.serialization.add_safe_globals``, so every ``torch.load`` that keeps torch's
    default ``weights_only=True`` (Inferencers) reads resume checkpoints and still
    refuses any other pickled object; and registers, through mmengine's public
    ``CheckpointLoader.register_scheme``, ``load_from_local`` for local files and
    ``load_from_remote`` for http(s)://, open-mmlab://, mmcls:// and torchvision://
    (mmengine's own loaders of those pass ``weights_only=False``): both pass
    ``weights_only=True`` explicitly (so ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` opens no
    door) and raise ``UnsafeCheckpointError`` naming the file. Our tools call it when they start;
    importing ``mobilenet_v2`` does not. Call it once in scripts of your own (an
    Inferencer, a notebook) before loading checkpoints.
    """
    torch.serialization.add_safe_globals(ALLOWED_GLOBALS)
    CheckpointLoader.register_scheme(prefixes='', loader=load_from_local, force=True)
    CheckpointLoader.register_scheme(prefixes=REMOTE_PREFIXES, loader=load_from_remote, force=True)
