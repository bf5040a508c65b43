from .config import ConfigError, check_data_roots, config_path, load_config
from .runner import build_runner, prepare_test, prepare_train

__all__ = [
    'ConfigError',
    'check_data_roots',
    'config_path',
    'load_config',
    'build_runner',
    'prepare_test',
    'prepare_train',
]
