"""What the tools call: loading and checking configs, preparing and building runners,
building a config's model outside a runner, the command-line plumbing (``cli``)."""

from .checkpoint import check_checkpoint_fits
from .config import ConfigError, check_data_roots, config_path, load_config
from .model import build_model
from .runner import build_runner, prepare_test, prepare_train

__all__ = [
    'check_checkpoint_fits',
    'ConfigError',
    'check_data_roots',
    'config_path',
    'load_config',
    'build_model',
    'build_runner',
    'prepare_test',
    'prepare_train',
]
