"""--cfg-options keys checked against what the config's classes accept, before merging:
a typo is a config error naming the key and the nearest valid names, not a
constructor's TypeError deep in a run (or, worse, an option silently ignored)."""

import difflib
import importlib
import inspect
from typing import Iterable, List, Set, Tuple

import torch.utils.data
from mmengine.config import Config
from mmengine.registry import DefaultScope

from .config import ConfigError

# the toolbox registries a config's ``type`` may name (each toolbox's own children of
# mmengine's: looking a type up there imports the toolbox module that registers it,
# which mmengine's root registries do not)
REGISTRIES = (
    'MODELS',
    'DATASETS',
    'TRANSFORMS',
    'LOOPS',
    'HOOKS',
    'OPTIM_WRAPPERS',
    'OPTIMIZERS',
    'PARAM_SCHEDULERS',
    'METRICS',
    'EVALUATOR',
    'VISUALIZERS',
    'TASK_UTILS',
)


def accepted_arguments(type_name, scope: str) -> Tuple[Set[str], bool]:
    """(names, complete): the keyword arguments the class registered as ``type_name``
    accepts, through the base classes its ``**kwargs`` reach; ``complete`` is False
    when the class is not found or its ``**kwargs`` reach no signature."""
    cls = type_name if inspect.isclass(type_name) else None
    if cls is None:
        toolbox = importlib.import_module(f'{scope}.registry')
        with DefaultScope.overwrite_default_scope(scope):
            for name in REGISTRIES:
                try:
                    cls = getattr(toolbox, name).get(type_name)
                except (AttributeError, KeyError, ImportError):
                    cls = None
                if cls is not None:
                    break
    names: Set[str] = {'type', '_scope_'}
    if cls is None or not inspect.isclass(cls):
        return names, False
    for klass in cls.__mro__:
        if '__init__' not in vars(klass) or klass is object:
            continue
        try:
            parameters = inspect.signature(klass.__init__).parameters.values()
        except (TypeError, ValueError):
            return names, False
        names |= {
            p.name
            for p in parameters
            if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.name != 'self'
        }
        if not any(p.kind == p.VAR_KEYWORD for p in parameters):
            return names, True
    return names, False  # **kwargs all the way up


# nodes whose class mmengine's Runner picks when the config names none
IMPLIED_TYPES = {
    'train_cfg': lambda node: 'EpochBasedTrainLoop'
    if node.get('by_epoch')
    else 'IterBasedTrainLoop',
    'val_cfg': lambda node: 'ValLoop',
    'test_cfg': lambda node: 'TestLoop',
    'optim_wrapper': lambda node: 'OptimWrapper',
    # mmengine builds a dataloader node as torch's DataLoader (sampler, collate_fn and
    # dataset built first)
    'train_dataloader': lambda node: torch.utils.data.DataLoader,
    'val_dataloader': lambda node: torch.utils.data.DataLoader,
    'test_dataloader': lambda node: torch.utils.data.DataLoader,
}
# keys the Runner reads from those nodes itself before building them
RUNNER_KEYS = {
    'train_cfg': {'by_epoch'},
    'optim_wrapper': {'optimizer', 'paramwise_cfg', 'constructor'},
}


def _nearest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> List[str]:
    return difflib.get_close_matches(word, sorted(set(choices)), n=3, cutoff=cutoff)


def check_option_keys(cfg: Config, options: dict):
    """ConfigError for an option that adds a key its node does not accept: under a node
    with a ``type``, a name outside the class's arguments; under a plain node, a new
    name close to an existing one (``batch_sizee``). Keys already in the config, list
    indices and new top-level variables are let through."""
    scope = cfg.get('default_scope')
    root = cfg.to_dict()
    for option in options:
        if option == 'model.pretrained':  # load_config maps it to the backbone's init_cfg
            continue
        model = root.get('model') or {}
        if option.startswith('model.data_preprocessor.') and 'data_preprocessor' not in model:
            if 'data_preprocessor' in root:  # mmpretrain's layout
                raise ConfigError(
                    f'--cfg-options {option}: this config keeps its data preprocessor at '
                    f"the top level: set {option[len('model.') :]} (model.data_preprocessor "
                    'would replace it whole)'
                )
        parts = option.split('.')
        node, path = root, []
        for depth, part in enumerate(parts):
            if isinstance(node, (list, tuple)) and part.isdigit():
                node, path = node[int(part)] if int(part) < len(node) else None, [*path, part]
            elif isinstance(node, dict) and part in node:
                node, path = node[part], [*path, part]
            elif isinstance(node, dict) and depth > 0:
                _refuse_unknown(option, part, node, '.'.join(path), scope)
                break
            else:
                break
            if node is None:
                break


def _refuse_unknown(option: str, part: str, node: dict, where: str, scope: str):
    type_name = node.get('type') or (IMPLIED_TYPES[where](node) if where in IMPLIED_TYPES else None)
    if type_name is not None:
        accepted, complete = accepted_arguments(type_name, scope)
        accepted |= RUNNER_KEYS.get(where, set())
        if part in accepted:
            return
        # **kwargs that reach no signature: only a near miss of a known name is refused
        nearest = _nearest(part, accepted | set(node), cutoff=0.6 if complete else 0.8)
        if not complete and not nearest:
            return
        type_name = getattr(type_name, '__name__', type_name)
        hint = f'; nearest: {", ".join(nearest)}' if nearest else ''
        raise ConfigError(f'--cfg-options {option}: {where} ({type_name}) takes no {part!r}{hint}')
    nearest = _nearest(part, node)
    if nearest:
        raise ConfigError(
            f'--cfg-options {option}: {where} has no {part!r}; did you mean '
            f'{", ".join(f"{where}.{n}" for n in nearest)}? (a new key there is ignored)'
        )
