import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import tempfile

# the environment the suite was started with, before imports add to it (the inductor
# cache folder): a tool's own imports set what they set
ENVIRON = dict(os.environ)

import pytest  # noqa: E402
import torch  # noqa: E402

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture(autouse=True)
def _deterministic():
    torch.manual_seed(0)


@pytest.fixture(scope='session')
def toy_imagenet(tmp_path_factory):
    from mobilenet_v2.datasets import generate_toy_imagenet

    return generate_toy_imagenet(
        str(tmp_path_factory.mktemp('toy_imagenet')), train_per_class=16, val_per_class=4, size=64
    )


# environment variables a forked tool may set itself: the rest are read as the stack is
# imported (threads, hash seed) or by what a tool starts (ports, paths of scripts)
FORKABLE_ENV = {'TMPDIR'}


class ToolServer:
    """tests/tool_server.py, started on first use in this test worker: forks a tool run
    from a process that has imported the stack (saves its 6-13 s import per run)."""

    process = None

    @classmethod
    def run(cls, argv, cwd, base_env, env, timeout):
        """``argv`` run in ``cwd``, its environment ``base_env`` (the server's, constant
        in a session) and ``env`` on top."""
        if cls.process is None or cls.process.poll() is not None:
            cls.process = subprocess.Popen(
                [sys.executable, osp.join(ROOT, 'tests', 'tool_server.py')],
                cwd=ROOT,
                env=base_env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        env = {**base_env, **env}
        with tempfile.TemporaryDirectory() as tmp:
            out, err = osp.join(tmp, 'stdout'), osp.join(tmp, 'stderr')
            request = dict(argv=argv, cwd=cwd, env=env, timeout=timeout, stdout=out, stderr=err)
            try:
                cls.process.stdin.write(json.dumps(request) + '\n')
                cls.process.stdin.flush()
                reply = cls.process.stdout.readline()
            except BaseException:  # interrupted: a reply may still come; a new server
                cls.process.kill()
                raise
            if not reply:
                raise RuntimeError(f'tests/tool_server.py ended (stderr above) running {argv}')
            reply = json.loads(reply)
            stdout, stderr = open(out).read(), open(err).read()
        if reply['timeout']:
            raise subprocess.TimeoutExpired(argv, timeout, stdout, stderr)
        if reply['leftover']:
            raise AssertionError(f'{argv} left processes running (killed):\n{stderr[-3000:]}')
        return subprocess.CompletedProcess(argv, reply['code'], stdout, stderr)


def run_tool(*args, env=None, check=True, timeout=600, cwd=ROOT, fresh=False):
    """Run a repository script (``.sh`` with bash, else with this interpreter, which the
    shell scripts use too) from ``cwd``; returns the CompletedProcess. A Python tool with
    no environment of its own but ``FORKABLE_ENV`` runs forked from ``ToolServer``
    unless ``fresh``: a new interpreter, as a user starts it, prints the warnings of the
    stack's import too (a forked run's were printed by the server)."""
    threads = os.environ.get('OMP_NUM_THREADS', '1')  # the suite must hold at 1 and 2
    base_env = dict(ENVIRON, PYTHON=sys.executable, OMP_NUM_THREADS=threads, PYTHONHASHSEED='0')
    script, env = osp.join(ROOT, args[0]), env or {}
    if script.endswith('.py') and set(env) <= FORKABLE_ENV and not fresh:
        argv = [script, *map(os.fspath, args[1:])]
        proc = ToolServer.run(argv, os.fspath(cwd), base_env, env, timeout)
    else:
        proc = subprocess.run(
            ['bash' if script.endswith('.sh') else sys.executable, script, *args[1:]],
            cwd=cwd,
            env={**base_env, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    if check and proc.returncode != 0:
        raise AssertionError(
            f'{args} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}'
        )
    return proc


@pytest.fixture(scope='session')
def toy_cityscapes(tmp_path_factory):
    from mobilenet_v2.datasets import generate_toy_cityscapes

    return generate_toy_cityscapes(str(tmp_path_factory.mktemp('toy_cityscapes')), train=16, val=4)


@pytest.fixture(scope='session')
def toy_coco(tmp_path_factory):
    from mobilenet_v2.datasets import generate_toy_coco

    return generate_toy_coco(str(tmp_path_factory.mktemp('toy_coco')), train=32, val=8)


TOY_CLASSIFIER = 'configs/toy/mobilenet-v2_toy-imagenet.py'


def toy_classifier_options(data_root, **extra):
    """Options for the toy classifier: width 0.35 and batch 16 unless ``extra`` says."""
    return toy_run_options(
        data_root,
        **{
            'train_dataloader.batch_size': 16,
            'model.backbone.widen_factor': 0.35,
            'default_hooks.checkpoint.save_best': None,
            **extra,
        },
    )


@pytest.fixture(scope='session')
def trained_toy_classifier(toy_imagenet, tmp_path_factory):
    """tools/train.py's run of the toy classifier (width 1.0, 100 iterations): returns
    (work_dir, the CompletedProcess); the checkpoint is ``<work_dir>/iter_100.pth``."""
    work_dir = str(tmp_path_factory.mktemp('toy_classifier') / 'train')
    proc = run_tool(
        'tools/train.py',
        TOY_CLASSIFIER,
        '--work-dir',
        work_dir,
        *toy_classifier_options(
            toy_imagenet, **{'model.backbone.widen_factor': 1.0, **run_to_end(100)}
        ),
    )
    return work_dir, proc


def toy_run_options(data_root: str, **options) -> list:
    """``--cfg-options`` arguments for the tools: a toy config's three dataloaders read
    ``data_root``, the logger writes every iteration (tests read the losses), and
    ``options`` on top."""
    splits = ('train', 'val', 'test')
    roots = {f'{split}_dataloader.dataset.data_root': data_root for split in splits}
    options = {**roots, 'default_hooks.logger.interval': 1, **options}
    return ['--cfg-options', *(f'{k}={v}' for k, v in options.items())]


def short_schedule(iters: int) -> dict:
    """Config options: train ``iters`` iterations with the config's schedule (warm-up,
    then decay: every toy config has those two schedulers) fitted into them. Cut off
    instead, a 30-iteration test of a 300-iteration config would run in warm-up only,
    at a tenth of the learning rate, and its loss would barely move."""
    warmup = max(1, iters // 10)
    return {
        'train_cfg.max_iters': iters,
        'param_scheduler.0.end': warmup,
        'param_scheduler.1.begin': warmup,
        'param_scheduler.1.end': iters,
    }


def run_to_end(iters: int) -> dict:
    """``short_schedule(iters)``, validating and saving at the last iteration."""
    return {
        **short_schedule(iters),
        'train_cfg.val_interval': iters,
        'default_hooks.checkpoint.interval': iters,
    }


def assert_loss_falls(losses: list, ratio: float, window: int = 5):
    """The mean of the last ``window`` losses is below ``ratio`` x that of the first.

    Prints the measured ratio (``pytest -rP`` shows it): .ci/learning_margins.sh collects
    it under every CPU kernel set and thread count, and each test's threshold says how
    far it stays from the worst ratio measured there."""
    first, last = sum(losses[:window]) / window, sum(losses[-window:]) / window
    print(f'loss ratio last/first: {last / first:.3f} (must be < {ratio})')
    assert last < ratio * first, losses


def held_out_only(data_root: str, dst, *paths: str) -> str:
    """A copy of ``paths`` (the held-out split) of a toy set: test-only runs must work
    where no training data exists."""
    for path in paths:
        copy = shutil.copytree if osp.isdir(osp.join(data_root, path)) else shutil.copy
        os.makedirs(osp.dirname(osp.join(dst, path)), exist_ok=True)
        copy(osp.join(data_root, path), osp.join(dst, path))
    return str(dst)
