"""The generic tools on the toy ImageNet-format set, run as a user runs them."""

import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import mmengine
import pytest
import torch

from mobilenet_v2.compat import safe_torch_load

from .conftest import (
    ROOT,
    TOY_CLASSIFIER,
    assert_loss_falls,
    held_out_only,
    run_tool,
    toy_classifier_options,
)


def logged(work_dir, key):
    (path,) = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    with open(path) as f:
        return [row[key] for row in map(json.loads, f) if key in row]


def state_dict(path):
    return safe_torch_load(path, map_location='cpu')['state_dict']


def run_test_py_on_trained_classifier(trained, data_root, tmp_path, *args, check=True, **options):
    """tools/test.py on the session's trained toy classifier (width 1.0 unless
    ``options`` say otherwise), reading ``data_root``, writing under ``tmp_path``."""
    work_dir, _ = trained
    return run_tool(
        'tools/test.py',
        TOY_CLASSIFIER,
        osp.join(work_dir, 'iter_100.pth'),
        '--work-dir',
        str(tmp_path / 'test'),
        *args,
        *toy_classifier_options(data_root, **{'model.backbone.widen_factor': 1.0, **options}),
        check=check,
    )


def test_toy_classifier_loss_falls_and_test_reports_top1(
    trained_toy_classifier, toy_imagenet, tmp_path
):
    work_dir, proc = trained_toy_classifier
    # the console shows progress; the environment and full config go to the log file
    (log_file,) = glob.glob(osp.join(work_dir, '*', '*.log'))
    assert f'full config, environment and log: {log_file}' in proc.stdout
    log = open(log_file).read()
    for dump in ('System environment:', 'Config:', 'Hooks will be executed'):
        assert dump in log and dump not in proc.stdout
    assert 'Iter(train) [100/100]' in proc.stdout
    assert 'cudnn' not in proc.stdout + proc.stderr  # mmengine's notice on a CPU machine
    losses = logged(work_dir, 'loss')
    assert len(losses) == 100
    # .ci/learning_margins.sh, 2026-11-30, ATEN_CPU_CAPABILITY default/avx2/avx512 x 1/2 threads:
    # ratio 0.504-0.618; 0.8 stays 0.18 above the worst (a model that learns nothing: ~1)
    assert_loss_falls(losses, 0.8, window=10)
    out = str(tmp_path / 'preds.pkl')
    val = held_out_only(toy_imagenet, tmp_path / 'val', 'val', 'meta/val.txt')
    proc = run_test_py_on_trained_classifier(
        trained_toy_classifier, val, tmp_path, '--out', out, '--show-dir', str(tmp_path / 'show')
    )
    metrics = json.loads(proc.stdout.strip().splitlines()[-1])
    assert 0 <= metrics['accuracy/top1'] <= 100
    predictions = mmengine.load(out)  # our own file, written by mmpretrain's DumpResults
    assert len(predictions) == 40 and {'pred_label', 'gt_label'} <= set(predictions[0])
    assert len(glob.glob(osp.join(tmp_path, 'show', '*.png'))) == 40


def test_get_flops_json_gives_integer_params_and_madds():
    proc = run_tool(
        'tools/analysis_tools/get_flops.py',
        'configs/mobilenet_v2/mobilenet-v2_8xb32_in1k.py',
        '--shape',
        '224',
        '224',
        '--json',
    )
    result = json.loads(proc.stdout)
    assert result['params'] == 3_504_872
    assert isinstance(result['madds'], int) and abs(result['madds'] / 300e6 - 1) < 0.02


CLASSIFIER = 'configs/mobilenet_v2/mobilenet-v2_8xb32_in1k.py'
PICTURE = 'docs/images/benchmarks.png'
# a mistake on each tool's command line, and the line it gives
ARGUMENT_ERRORS = [
    (('tools/train.py', 'configs/nope.py'), 'error: config file configs/nope.py does not exist'),
    (('tools/test.py', CLASSIFIER, 'no.pth'), 'error: checkpoint no.pth does not exist'),
    (
        ('tools/analysis_tools/benchmark.py', CLASSIFIER, '--shape', '224', '224', '--runs', '0'),
        'error: --runs must be at least 1, got 0',
    ),
    (
        ('tools/analysis_tools/benchmark.py', CLASSIFIER, '--shape', '64', '64', '--backend', 'x'),
        'error: --backend must be one of',
    ),
    (
        (
            'tools/analysis_tools/benchmark.py',
            CLASSIFIER,
            '--shape',
            '64',
            '64',
            '--precision',
            'int8',
        ),
        'error: --precision int8 runs on --backend onnxruntime or openvino or compile',
    ),
    (
        ('tools/train.py', CLASSIFIER, '--cfg-options', 'train_dataloader.batch_size'),
        'error: --cfg-options train_dataloader.batch_size: give KEY=VALUE pairs',
    ),  # break-it, session 10: a traceback from mmengine's DictAction
    (('tools/test.py', CLASSIFIER, 'c.pth', '--cfg-options', 'a=[1,(2'), 'unbalanced brackets'),
    (('tools/analysis_tools/get_flops.py', CLASSIFIER, '--shape', '16', '224'), 'each side'),
    (('tools/dataset_converters/make_toy_data.py', 'mnist', 'out'), "invalid choice: 'mnist'"),
    (('tools/analysis_tools/memory_efficient_inference.py', '--runs', '0'), '--runs must be'),
    (('tools/analysis_tools/plot_benchmarks.py', 'r.json', '--out', 'x.jpg'), '.png file name'),
    (('tools/deployment/export_onnx.py', CLASSIFIER, 'no.pth', '--shape', '224', '224'), 'no.pth'),
    (('tools/deployment/test_deployed.py', CLASSIFIER, 'm.onnx', '--shape', '1'), 'expected 2'),
    (('tools/deployment/test_deployed.py', CLASSIFIER, 'README.md'), '--shape H W: the input'),
    (
        ('tools/analysis_tools/benchmark.py', CLASSIFIER, 'README.md.onnx', '--shape', '64', '64'),
        'give the .pth checkpoint',
    ),
    (('tools/demo/image_demo.py', 'no.png', CLASSIFIER, 'c.pth'), 'image no.png does not exist'),
    (('tools/dataset_converters/cityscapes.py', 'data', '--nproc', '0'), '--nproc must be'),
    (('tools/dataset_converters/cityscapes.py', 'no/such'), 'no/such is no folder'),
    (('tools/demo/image_demo.py', 'README.md', CLASSIFIER, 'README.md'), 'image README.md cannot'),
    (  # break-it, session 10: refused only after the inference
        ('tools/demo/image_demo.py', PICTURE, CLASSIFIER, 'README.md', '--out', 'no/such/x.png'),
        'error: --out no/such/x.png: give a .png file name in an existing folder',
    ),
    (('tools/model_converters/timm2mobilenet_v2.py', 'no.pth', 'out.pth'), 'source no.pth'),
]


@pytest.mark.parametrize('args, line', ARGUMENT_ERRORS, ids=lambda a: osp.basename(a[0]))
def test_argument_errors_come_before_torch_is_imported(args, line):
    """A mistyped command line is reported in about a second, not after the stack's 6-10 s
    of imports (mobilenet_v2/arguments.py): the tool exits 2 with its one line, and torch
    was never imported."""
    script = (
        'import runpy, sys\n'
        f'sys.argv = {[osp.join(ROOT, args[0]), *args[1:]]!r}\n'
        'try:\n'
        "    runpy.run_path(sys.argv[0], run_name='__main__')\n"
        'finally:\n'
        "    print('torch imported' if 'torch' in sys.modules else 'no torch')\n"
    )
    proc = subprocess.run(
        [sys.executable, '-c', script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert line in proc.stderr.strip().splitlines()[-1], proc.stderr
    assert proc.stdout.strip() == 'no torch'


def test_missing_config_is_one_line_error(tmp_path):
    proc = run_tool('tools/train.py', 'configs/nope.py', check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip() == 'error: config file configs/nope.py does not exist'


def test_missing_data_root_names_the_key(tmp_path):
    proc = run_tool(
        'tools/train.py',
        TOY_CLASSIFIER,
        '--work-dir',
        str(tmp_path),
        '--cfg-options',
        f'train_dataloader.dataset.data_root={tmp_path}/absent',
        check=False,
        fresh=True,  # as a user's process: not one warning of the stack's import either
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith('error: train_dataloader.dataset.data_root')
    assert len(proc.stderr.strip().splitlines()) == 1


def test_unknown_model_type_is_one_line_error(toy_imagenet, tmp_path):
    proc = run_tool(
        'tools/train.py',
        TOY_CLASSIFIER,
        '--work-dir',
        str(tmp_path),
        *toy_classifier_options(toy_imagenet, **{'model.neck.type': 'NoSuchNeck'}),
        check=False,
    )
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert 'NoSuchNeck' in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_amp_without_a_gpu_is_one_line_error(toy_imagenet, tmp_path):
    proc = run_tool(
        'tools/train.py',
        TOY_CLASSIFIER,
        '--work-dir',
        str(tmp_path),
        '--amp',
        *toy_classifier_options(toy_imagenet),
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "error: --amp needs a GPU: mmengine's AmpOptimWrapper runs "
        'on CUDA (or NPU/MLU/MUSA) devices only'
    )


def test_install_failure_names_the_step(tmp_path):
    env = {**os.environ, 'VENV': str(tmp_path / 'venv'), 'PYTHON': str(tmp_path / 'no-python')}
    proc = subprocess.run(
        ['bash', osp.join(ROOT, 'tools', 'install.sh')], env=env, capture_output=True, text=True
    )
    assert proc.returncode != 0
    assert proc.stdout.strip() == f'[install] create virtual env {tmp_path}/venv'
    assert proc.stderr.strip().splitlines()[-1] == (
        f'[install] FAILED at step: create virtual env {tmp_path}/venv (exit 127)'
    )


def test_install_resolves_a_relative_venv_against_the_working_directory(tmp_path):
    """The mmcv build runs from inside the unpacked sdist: a relative VENV (the Makefile's
    `.venv`) must already be absolute by then, whatever directory install.sh starts in."""
    env = {**os.environ, 'VENV': 'rel/venv', 'PYTHON': str(tmp_path / 'no-python')}
    proc = subprocess.run(
        ['bash', osp.join(ROOT, 'tools', 'install.sh')],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    assert proc.stdout.strip() == f'[install] create virtual env {tmp_path}/rel/venv'


def test_a_head_that_does_not_fit_the_backbone_is_one_line_naming_both(toy_imagenet, tmp_path):
    proc = run_tool(
        'tools/train.py',
        TOY_CLASSIFIER,
        '--work-dir',
        str(tmp_path / 'work'),
        *toy_classifier_options(toy_imagenet, **{'model.head.in_channels': 640}),
        check=False,
    )
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith(
        'error: model.head.in_channels is 640 but the backbone output it reads, conv2, '
        'has 1280 channels'
    )
    assert not osp.exists(tmp_path / 'work')  # refused before anything was written


def test_a_neck_or_in_index_that_does_not_fit_the_backbone_is_one_line(tmp_path):
    from mobilenet_v2.apis import ConfigError, load_config
    from mobilenet_v2.apis.config import check_head_channels

    det = load_config(osp.join(ROOT, 'configs/toy/ssdlite-paper_mobilenetv2_toy-coco.py'))
    det.model.neck.in_channels = [576]
    try:
        check_head_channels(det)
        raise AssertionError('accepted a neck with too few in_channels')
    except ConfigError as err:
        assert str(err).startswith('model.neck.in_channels has 1 entries but the backbone')
    seg = load_config(osp.join(ROOT, 'configs/toy/mobilenet-v2-d8_fcn_toy-cityscapes.py'))
    seg.model.decode_head.in_index = 7
    try:
        check_head_channels(seg)
        raise AssertionError('accepted an in_index past the backbone outputs')
    except ConfigError as err:
        assert 'model.decode_head reads backbone output 7 (its in_index)' in str(err)
        assert 'use 0..3' in str(err)


def test_a_checkpoint_that_does_not_fit_the_model_gives_no_metric(
    trained_toy_classifier, toy_imagenet, tmp_path
):
    """A width-1.0 checkpoint given to the width-0.35 model: one line, no metric, and
    no work dir left behind (new user, session 10: its config and log were)."""
    proc = run_test_py_on_trained_classifier(
        trained_toy_classifier,
        toy_imagenet,
        tmp_path,
        check=False,
        **{'model.backbone.widen_factor': 0.35},
    )
    assert proc.returncode == 2, proc.stderr[-2000:]
    (line,) = proc.stderr.strip().splitlines()
    assert "does not fit this config's model" in line and 'of another shape' in line
    assert 'accuracy' not in proc.stdout
    assert not (tmp_path / 'test').exists()


def test_resume_with_nothing_to_resume_is_an_error_not_a_fresh_start(tmp_path):
    work_dir = tmp_path / 'empty'
    proc = run_tool(
        'tools/train.py', TOY_CLASSIFIER, '--work-dir', str(work_dir), '--resume', check=False
    )
    assert proc.returncode == 2
    assert f'--resume: nothing to resume in {work_dir} (no last_checkpoint)' in proc.stderr
    assert not work_dir.exists()  # refused before anything is written


def test_test_out_never_replaces_earlier_results(tmp_path):
    earlier = tmp_path / 'preds.pkl'
    earlier.write_text('earlier results')
    ckpt = tmp_path / 'ckpt.pth'
    torch.save({'state_dict': {}}, ckpt)
    proc = run_tool('tools/test.py', TOY_CLASSIFIER, str(ckpt), '--out', str(earlier), check=False)
    assert proc.returncode == 2
    assert f'--out {earlier} exists: give a new path' in proc.stderr
    assert earlier.read_text() == 'earlier results'


def test_test_out_that_is_no_pickle_file_is_refused_before_testing(tmp_path):
    """mmdet and mmpretrain dump predictions as one .pkl (mmengine's DumpResults would
    refuse a folder only after the model ran); mmseg's --out is a folder."""
    ckpt = tmp_path / 'ckpt.pth'
    torch.save({'state_dict': {}}, ckpt)
    out = str(tmp_path / 'results') + '/'
    for config in (TOY_CLASSIFIER, 'configs/toy/ssdlite-paper_mobilenetv2_toy-coco.py'):
        proc = run_tool('tools/test.py', config, str(ckpt), '--out', out, check=False)
        assert proc.returncode == 2
        assert f'--out {out}: ' in proc.stderr and 'give --out FILE.pkl' in proc.stderr
    assert not osp.exists(out)


def test_a_new_run_never_overwrites_an_earlier_one(tmp_path):
    work_dir = tmp_path / 'run'
    work_dir.mkdir()
    (work_dir / 'last_checkpoint').write_text(str(work_dir / 'iter_4.pth'))
    proc = run_tool('tools/train.py', TOY_CLASSIFIER, '--work-dir', str(work_dir), check=False)
    assert proc.returncode == 2
    assert f'--work-dir {work_dir} holds an earlier run' in proc.stderr
    assert sorted(p.name for p in work_dir.iterdir()) == ['last_checkpoint']


def test_a_truncated_image_is_one_line_naming_it(trained_toy_classifier, toy_imagenet, tmp_path):
    val = held_out_only(toy_imagenet, tmp_path / 'val', 'val', 'meta/val.txt')
    first = sorted(os.listdir(osp.join(val, 'val')))[0]
    image = osp.join(val, 'val', first)
    data = open(image, 'rb').read()
    open(image, 'wb').write(data[: len(data) // 3])
    proc = run_test_py_on_trained_classifier(trained_toy_classifier, val, tmp_path, check=False)
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(f'error: failed to load image: {image}'), line
    assert 'accuracy' not in proc.stdout


def test_testing_in_a_training_runs_folder_keeps_its_config_dump(
    trained_toy_classifier, toy_imagenet, tmp_path
):
    """test.py --work-dir <a training run>: the run's config dump stays as it was; the
    test run's own goes to its timestamped log folder."""
    work_dir, _ = trained_toy_classifier
    run_dir = str(tmp_path / 'run')
    shutil.copytree(work_dir, run_dir)
    dump = osp.join(run_dir, osp.basename(TOY_CLASSIFIER))
    original = open(dump).read()
    run_tool(
        'tools/test.py',
        TOY_CLASSIFIER,
        osp.join(run_dir, 'iter_100.pth'),
        '--work-dir',
        run_dir,
        *toy_classifier_options(toy_imagenet, **{'model.backbone.widen_factor': 1.0}),
    )
    assert open(dump).read() == original
    dumps = glob.glob(osp.join(run_dir, '*', osp.basename(TOY_CLASSIFIER)))
    assert len(dumps) == 1 and 'widen_factor=1.0' in open(dumps[0]).read()
