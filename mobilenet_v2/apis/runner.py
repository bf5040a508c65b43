"""What tools/train.py and tools/test.py do, generic over mmseg, mmdet and mmpretrain.

The config's default_scope picks the toolbox; the few things each toolbox's own tools
do differently (how results are dumped and drawn, dataloader defaults) are data in
``TOOLBOX_OPTIONS`` rather than branches spread through the code.
"""

import logging
import os
import os.path as osp
from typing import Optional

import torch
import torch.distributed as dist
from mmengine.config import Config, ConfigDict
from mmengine.dist import master_only
from mmengine.logging import MMLogger
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from .config import (
    ConfigError,
    check_data_roots,
    check_datasets,
    check_head_channels,
    check_pretrained_paths,
)

SHOW_DIR = '<--show-dir>'  # replaced by the absolute --show-dir

# ``show``: how --show-dir turns drawing on, as each toolbox's own test.py does: the
# visualization hook's settings, the visualizer's, and modules to import first.
TOOLBOX_OPTIONS = {
    'mmpretrain': dict(
        dataloader_defaults=dict(collate_fn=dict(type='default_collate')),
        dump_metric=dict(type='DumpResults', out_file_path=None),
        show=dict(hook=dict(type='VisualizationHook', enable=True, interval=1, out_dir=SHOW_DIR)),
    ),
    'mmdet': dict(
        dataloader_defaults={},
        dump_metric=dict(type='DumpDetResults', out_file_path=None),
        show=dict(
            hook=dict(type='DetVisualizationHook', draw=True, interval=1, test_out_dir=SHOW_DIR)
        ),
    ),
    'mmseg': dict(
        dataloader_defaults={},
        dump_metric=None,
        show=dict(
            hook=dict(type='mobilenet_v2.SegTestVisualizationHook', draw=True, interval=1),
            visualizer=dict(save_dir=SHOW_DIR),
        ),
    ),
}


def _default_work_dir(cfg: Config) -> str:
    return osp.join('./work_dirs', osp.splitext(osp.basename(cfg.filename))[0])


def _common(cfg: Config, work_dir: Optional[str], launcher: str):
    check_head_channels(cfg)
    if (cfg.get('randomness') or {}).get('deterministic') and cfg.get('env_cfg'):
        # what mmengine would do, with a warning on every run before our logger exists
        cfg.env_cfg.cudnn_benchmark = False
    if launcher in ('slurm', 'mpi') and not torch.cuda.is_available():
        # mmengine's slurm and mpi setups bind one GPU per task (cuda.set_device on
        # rank % GPU count): on a machine without GPUs they fail with ZeroDivisionError
        raise ConfigError(
            f'--launcher {launcher} needs GPUs (mmengine binds one GPU per task); on CPU '
            'nodes start tools/dist_train.sh / dist_test.sh on each node with NNODES, '
            'NODE_RANK and MASTER_ADDR (docs/get_started.md)'
        )
    cfg.launcher = launcher
    cfg.work_dir = work_dir or cfg.get('work_dir') or _default_work_dir(cfg)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(loader):
            defaults = TOOLBOX_OPTIONS[cfg.default_scope]['dataloader_defaults']
            cfg[loader] = ConfigDict({**defaults, **cfg[loader]})
            if cfg.default_scope == 'mmseg':
                check_segmentation_labels(cfg, cfg[loader].dataset)


def _datasets(dataset: dict):
    """``dataset`` and those it wraps (RepeatDataset's ``dataset``, ConcatDataset's
    ``datasets``)."""
    yield dataset
    for inner in [dataset.get('dataset'), *(dataset.get('datasets') or [])]:
        if isinstance(inner, dict):
            yield from _datasets(inner)


def check_segmentation_labels(cfg: Config, dataset: dict):
    """Swap mmseg's ``LoadAnnotations`` in ``dataset``'s pipelines for
    ``LoadCheckedAnnotations`` (datasets/transforms.py) with the model's classes and
    ignore index: a label that does not fit is an error naming its file."""
    head = cfg.model.get('decode_head') or {}
    if isinstance(head, (list, tuple)) or 'num_classes' not in head:
        return  # cascade heads: no single coding to check against
    for inner in _datasets(dataset):
        for step in inner.get('pipeline') or []:
            if isinstance(step, dict) and step.get('type') == 'LoadAnnotations':
                step.type = 'mobilenet_v2.LoadCheckedAnnotations'
                step.num_classes = head.num_classes
                step.ignore_index = head.get('ignore_index', 255)


# every training run gets it, whatever the config (engine/hooks.py: exact resume)
EXACT_RESUME_HOOKS = ('mobilenet_v2.IterationSeedHook', 'IterationSeedHook')


def prepare_train(
    cfg: Config,
    work_dir: Optional[str] = None,
    resume: Optional[str] = None,
    amp: bool = False,
    launcher: str = 'none',
) -> Config:
    """Apply the train CLI options; ``resume='auto'`` resumes the work dir's latest."""
    _common(cfg, work_dir, launcher)
    if amp:
        if not torch.cuda.is_available():
            raise ConfigError(
                "--amp needs a GPU: mmengine's AmpOptimWrapper runs on CUDA "
                '(or NPU/MLU/MUSA) devices only'
            )
        if cfg.optim_wrapper.get('type', 'OptimWrapper') != 'OptimWrapper':
            raise ConfigError(
                f'--amp needs optim_wrapper.type OptimWrapper, the config has '
                f'{cfg.optim_wrapper.type}'
            )
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if not resume and osp.isfile(osp.join(cfg.work_dir, 'last_checkpoint')):
        # a new run would replace the earlier run's checkpoints and re-point
        # last_checkpoint: nothing already written may be lost
        raise ConfigError(
            f'--work-dir {cfg.work_dir} holds an earlier run (its last_checkpoint): give a '
            'new --work-dir, or --resume to continue that run'
        )
    if resume == 'auto':
        # mmengine would log "Auto resumed from the latest checkpoint None." and train
        # from scratch: an explicit --resume with nothing to resume is a mistake
        if not osp.isfile(osp.join(cfg.work_dir, 'last_checkpoint')):
            raise ConfigError(
                f'--resume: nothing to resume in {cfg.work_dir} (no last_checkpoint): '
                'drop --resume to train from scratch, give --resume CHECKPOINT, or '
                '--work-dir the run to continue'
            )
        cfg.resume, cfg.load_from = True, None
    elif resume:
        if not osp.isfile(resume):
            raise ConfigError(f'--resume checkpoint {resume} does not exist')
        cfg.resume, cfg.load_from = True, resume
    hooks = cfg.get('custom_hooks') or []
    if not any(hook.get('type') in EXACT_RESUME_HOOKS for hook in hooks):
        cfg.custom_hooks = [*hooks, dict(type='mobilenet_v2.IterationSeedHook')]
    # mmpretrain's configs say val_cfg = dict(): a validation loop with defaults
    splits = ('train', 'val') if cfg.get('val_cfg') is not None else ('train',)
    check_data_roots(cfg, loaders=splits)
    check_pretrained_paths(cfg)
    check_datasets(cfg, splits)
    return cfg


def prepare_test(
    cfg: Config,
    checkpoint: str,
    work_dir: Optional[str] = None,
    out: Optional[str] = None,
    show_dir: Optional[str] = None,
    launcher: str = 'none',
) -> Config:
    """Apply the test CLI options: checkpoint, --out (dump results), --show-dir (draw)."""
    if not osp.isfile(checkpoint):
        raise ConfigError(f'checkpoint {checkpoint} does not exist')
    _common(cfg, work_dir, launcher)
    cfg.load_from = checkpoint
    options = TOOLBOX_OPTIONS[cfg.default_scope]
    if out and osp.exists(out) and (osp.isfile(out) or os.listdir(out)):
        raise ConfigError(f'--out {out} exists: give a new path (earlier results are kept)')
    if out and options['dump_metric'] is not None and not out.endswith(('.pkl', '.pickle')):
        raise ConfigError(
            f'--out {out}: {cfg.default_scope} writes the predictions as one pickle file: '
            'give --out FILE.pkl'
        )
    if out:
        if options['dump_metric'] is None:  # mmseg's IoUMetric writes predictions itself
            cfg.test_evaluator.update(output_dir=out, keep_results=True)
        else:
            evaluators = cfg.test_evaluator
            evaluators = list(evaluators) if isinstance(evaluators, (list, tuple)) else [evaluators]
            cfg.test_evaluator = [*evaluators, {**options['dump_metric'], 'out_file_path': out}]
    if show_dir:
        _draw_predictions(cfg, show_dir)
    check_data_roots(cfg, loaders=('test',))
    check_datasets(cfg, ('test',))
    return cfg


def _draw_predictions(cfg: Config, show_dir: str):
    """Turn on the toolbox's visualization (``TOOLBOX_OPTIONS[scope]['show']``).

    The directory is made absolute first: mmdet's hook joins a relative one onto
    ``<work_dir>/<timestamp>/``, so the pictures would not be where the user asked.
    """
    show = TOOLBOX_OPTIONS[cfg.default_scope]['show']

    def filled(settings: dict) -> dict:
        return {k: osp.abspath(show_dir) if v == SHOW_DIR else v for k, v in settings.items()}

    hook = cfg.default_hooks.get('visualization') or {}
    cfg.default_hooks.visualization = ConfigDict({**hook, **filled(show['hook'])})
    cfg.visualizer.update(filled(show.get('visualizer', {})))


def _sync_bn_to_bn(node) -> bool:
    """Turn every ``norm_cfg`` of type SyncBN under ``node`` into BN; True if any."""
    found = False
    if isinstance(node, dict):
        if node.get('type') == 'SyncBN':
            node['type'], found = 'BN', True
        for value in node.values():
            found |= _sync_bn_to_bn(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            found |= _sync_bn_to_bn(value)
    return found


def _start_cpu_processes(cfg: Config):
    """torchrun without GPUs: mmengine's init_dist always calls torch.cuda.set_device and
    its DDP wrapper passes device_ids, both of which fail on CPU. Start gloo here (the
    Runner then skips init_dist) and wrap the model with device_ids=None."""
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    if _sync_bn_to_bn(cfg.model) and dist.get_rank() == 0:
        # torch's SyncBatchNorm runs on CUDA only (DDP refuses it: "SyncBatchNorm layers
        # only work with GPU modules"); mmengine reverts it to BN on one process itself
        print(
            'SyncBN needs CUDA: on CPU processes each BatchNorm normalises its own '
            "process's batch (BN)",
            flush=True,
        )
    cfg.setdefault('env_cfg', ConfigDict()).setdefault('dist_cfg', ConfigDict()).backend = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg') or ConfigDict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False),
    )
    wrapper.device_ids = None
    cfg.model_wrapper_cfg = wrapper


# mmengine 0.10.7's notices about its own internals (its hooks use the deprecated file
# clients; metrics without a prefix; mmseg has no "function" registry, so the collate
# function comes from mmengine's, which is where it is: every run said it "may cause
# unexpected failure").
_UPSTREAM_NOTICES = (
    '"FileClient" will be deprecated',
    '"HardDiskBackend" is the alias',
    'The prefix is not set in metric class',
    'Failed to search registry with scope',
)


class _DumpsToLogFileOnly(logging.Filter):
    """Keeps the Runner's multi-line dumps (environment, full config, hook order: about
    400 lines) and mmengine's notices about its own internals off the console; the log
    file in the work dir still receives them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        dump = record.levelno < logging.WARNING and record.module == 'runner'
        return not ((dump and message.count('\n') > 2) or message.startswith(_UPSTREAM_NOTICES))


def quiet_console(logger: MMLogger):
    """Keep ``_DumpsToLogFileOnly``'s lines off ``logger``'s console (its log file, if it
    has one, still receives them)."""
    for handler in logger.handlers:
        if type(handler) is logging.StreamHandler:  # the console, not the log file
            handler.addFilter(_DumpsToLogFileOnly())


class ToolRunner(Runner):
    """mmengine's Runner whose console shows progress, warnings and results, and says
    once where the log file with the full config and environment is."""

    def build_logger(self, *args, **kwargs) -> MMLogger:
        logger = super().build_logger(*args, **kwargs)
        quiet_console(logger)
        log_files = [h.baseFilename for h in logger.handlers if isinstance(h, logging.FileHandler)]
        if log_files:
            logger.info(f'full config, environment and log: {log_files[0]}')
        return logger

    @master_only
    def dump_config(self) -> None:
        """mmengine's config dump into the work dir or, where a file of that name is
        there already (a test run in a training run's folder, a resumed run), into this
        run's timestamped log folder: an earlier run's config is never replaced."""
        name = osp.basename(self.cfg.filename) if self.cfg.filename else f'{self.timestamp}.py'
        path = osp.join(self.work_dir, name)
        self.cfg.dump(osp.join(self.log_dir, name) if osp.exists(path) else path)

    @master_only
    def save_checkpoint(self, out_dir: str, filename: str, *args, **kwargs):
        """mmengine's save, atomic in a local folder: written as ``<filename>.partial``,
        then renamed, so a run killed while saving leaves no truncated checkpoint for
        --resume to pick (CheckpointHook points ``last_checkpoint`` at it only after
        this returns)."""
        if '://' in str(out_dir):
            return super().save_checkpoint(out_dir, filename, *args, **kwargs)
        partial = f'{filename}.partial'
        super().save_checkpoint(out_dir, partial, *args, **kwargs)
        os.replace(osp.join(out_dir, partial), osp.join(out_dir, filename))


def build_runner(cfg: Config) -> Runner:
    if cfg.launcher == 'pytorch' and not torch.cuda.is_available():
        _start_cpu_processes(cfg)
    return ToolRunner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
