"""Stack shims, each naming the upstream version and issue it works around. Imported by
the tools that need them, never by ``import mobilenet_v2``."""

from .checkpoint import (
    DownloadError,
    UnsafeCheckpointError,
    install_safe_checkpoint_loading,
    safe_torch_load,
)

__all__ = [
    'DownloadError',
    'UnsafeCheckpointError',
    'install_safe_checkpoint_loading',
    'safe_torch_load',
]
