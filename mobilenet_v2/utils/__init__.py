from .checkpoint import UnsafeCheckpointError, install_safe_checkpoint_loading, safe_torch_load

__all__ = ['UnsafeCheckpointError', 'install_safe_checkpoint_loading', 'safe_torch_load']
