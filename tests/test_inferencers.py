"""The toolboxes' own Inferencers run our configs and checkpoints from Python, and the
demo draws through them for all three tasks (issue 13)."""

import glob
import os.path as osp

import pytest
import torch
from PIL import Image

from mobilenet_v2.apis import build_model, load_config
from mobilenet_v2.compat import install_safe_checkpoint_loading

from .conftest import ROOT, TOY_CLASSIFIER, run_tool
from .test_toy_detection import TOY as TOY_DETECTOR
from .test_toy_segmentation import FCN

TASKS = {
    'classification': (TOY_CLASSIFIER, 'toy_imagenet', 'val/*.JPEG'),
    'segmentation': (FCN, 'toy_cityscapes', 'leftImg8bit/val/*/*.png'),
    'detection': (TOY_DETECTOR, 'toy_coco', 'val2017/*.jpg'),
}


def checkpoint_of(config: str, path: str) -> str:
    """A checkpoint as tools/train.py writes it (weights and the dataset's class
    names in meta), of the config's model with its initial weights."""
    cfg = load_config(osp.join(ROOT, config))
    torch.manual_seed(0)
    model = build_model(cfg)
    classes = cfg.train_dataloader.dataset.get('metainfo', {}).get('classes')
    classes = classes or cfg.get('classes')
    meta = {'dataset_meta': {'classes': tuple(classes)}} if classes else {}
    torch.save({'state_dict': model.state_dict(), 'meta': meta}, path)
    return path


@pytest.mark.parametrize('task', list(TASKS))
def test_the_toolboxs_inferencer_runs_our_config_and_checkpoint(task, tmp_path, request):
    config, data, images = TASKS[task]
    image = sorted(glob.glob(osp.join(request.getfixturevalue(data), images)))[0]
    cfg = load_config(osp.join(ROOT, config))
    weights = checkpoint_of(config, str(tmp_path / 'model.pth'))
    install_safe_checkpoint_loading()  # as the tools do when they start
    if task == 'classification':
        from mmpretrain.apis import ImageClassificationInferencer

        (result,) = ImageClassificationInferencer(model=cfg, pretrained=weights)(image)
        assert 0 <= result['pred_label'] < 10 and len(result['pred_scores']) == 10
    elif task == 'segmentation':
        from mmseg.apis import MMSegInferencer

        result = MMSegInferencer(model=cfg, weights=weights)(image)
        assert result['predictions'].shape == Image.open(image).size[::-1]
        assert result['predictions'].max() < 19
    else:
        from mmdet.apis import DetInferencer

        result = DetInferencer(model=cfg, weights=weights, show_progress=False)(image)
        predictions = result['predictions'][0]
        assert len(predictions['bboxes']) == len(predictions['scores']) > 0
        assert max(predictions['labels']) < 4


def test_the_demo_draws_a_classification_too(toy_imagenet, tmp_path):
    image = sorted(glob.glob(osp.join(toy_imagenet, 'val', '*.JPEG')))[0]
    weights = checkpoint_of(TOY_CLASSIFIER, str(tmp_path / 'model.pth'))
    out = str(tmp_path / 'drawn.png')
    proc = run_tool('tools/demo/image_demo.py', image, TOY_CLASSIFIER, weights, '--out', out)
    assert proc.stdout.strip().splitlines()[-1].startswith(f'wrote {out} (')
    assert min(Image.open(out).size) >= 256  # 64x64 input drawn larger to stay legible


@pytest.mark.parametrize('task', ['classification', 'segmentation', 'detection'])
def test_output_paths_relative_to_the_working_directory_land_there(task, tmp_path, request):
    """test.py run from another folder: --work-dir, --show-dir and --out, given
    relative, are taken from the working directory exactly, and each is printed."""
    from .conftest import toy_classifier_options
    from .test_toy_detection import det_options
    from .test_toy_segmentation import seg_options

    config, data, _ = TASKS[task]
    root = request.getfixturevalue(data)
    options = {  # the checkpoint is of each config's own model (width 1.0)
        'classification': lambda r: toy_classifier_options(
            r, **{'model.backbone.widen_factor': 1.0}
        ),
        'segmentation': seg_options,
        'detection': det_options,
    }[task](root)
    weights = checkpoint_of(config, str(tmp_path / 'model.pth'))
    out = 'results' if task == 'segmentation' else 'results.pkl'  # mmseg: a folder
    cwd = tmp_path / 'elsewhere'
    cwd.mkdir()
    proc = run_tool(
        'tools/test.py',
        osp.join(ROOT, config),
        weights,
        '--work-dir',
        'run',
        '--show-dir',
        'drawn',
        '--out',
        out,
        *options,
        cwd=str(cwd),
    )
    assert glob.glob(str(cwd / 'run' / '*' / '*.log'))
    assert glob.glob(str(cwd / 'drawn' / '**' / '*.*'), recursive=True)
    assert (cwd / out).exists()
    assert f'predictions drawn in: {cwd / "drawn"}' in proc.stdout
    assert f'results in: {cwd / out}' in proc.stdout
