"""Run a trained model on one image and write what it sees as a PNG.

    python tools/demo/image_demo.py IMAGE CONFIG CHECKPOINT --out result.png

Through each toolbox's own Inferencer (mmseg's MMSegInferencer, mmdet's DetInferencer,
mmpretrain's ImageClassificationInferencer): segmentation configs give a colour overlay
of the predicted classes, detection configs the image with the predicted boxes,
classification configs the image with the top class and its score.
"""

import argparse
import os.path as osp
import shutil
import tempfile

from PIL import Image, UnidentifiedImageError

from mobilenet_v2.arguments import check_files, check_png_out, parse, run
from mobilenet_v2.messages import ConfigError


def segment(cfg, args) -> str:
    import mmcv
    from mmseg.apis import MMSegInferencer

    inferencer = MMSegInferencer(model=cfg, weights=args.checkpoint, device=args.device)
    result = inferencer(args.image, return_vis=True, opacity=args.opacity)
    mmcv.imwrite(result['visualization'][..., ::-1], args.out)  # one image: RGB, no list
    found = len(set(result['predictions'].ravel().tolist()))
    return f'colour overlay, {found} classes'


def detect(cfg, args) -> str:
    import mmcv
    from mmdet.apis import DetInferencer

    inferencer = DetInferencer(
        model=cfg, weights=args.checkpoint, device=args.device, show_progress=False
    )
    result = inferencer(
        args.image, return_vis=True, no_save_vis=True, pred_score_thr=args.score_thr
    )
    mmcv.imwrite(result['visualization'][0][..., ::-1], args.out)
    kept = sum(score >= args.score_thr for score in result['predictions'][0]['scores'])
    return f'{kept} boxes with score >= {args.score_thr}'


def classify(cfg, args) -> str:
    import mmpretrain.utils.progress
    from mmpretrain.apis import ImageClassificationInferencer

    mmpretrain.utils.progress.disable_progress_bar = True  # its switch; one image

    inferencer = ImageClassificationInferencer(
        model=cfg, pretrained=args.checkpoint, device=args.device
    )
    short_side = min(Image.open(args.image).size)
    with tempfile.TemporaryDirectory() as folder:  # the inferencer names files itself
        # a small image is drawn larger, so that the class name stays legible
        (result,) = inferencer(
            args.image, show_dir=folder, rescale_factor=max(1.0, 256 / short_side)
        )
        shutil.move(osp.join(folder, f'{osp.splitext(osp.basename(args.image))[0]}.png'), args.out)
    return f"{result['pred_class']} ({result['pred_score']:.2f})"


DEMOS = {'mmseg': segment, 'mmdet': detect, 'mmpretrain': classify}


def check_image(path: str):
    """ConfigError naming ``path`` when it is not an image that decodes completely."""
    try:
        with Image.open(path) as image:
            image.load()
    except (UnidentifiedImageError, OSError) as err:
        raise ConfigError(f'image {path} cannot be read ({err}): give a PNG or JPEG file') from None


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('image', help='input image')
    parser.add_argument('config', help='a config of this toolbox (any of the three tasks)')
    parser.add_argument('checkpoint', help='trained weights')
    parser.add_argument('--out', default='result.png', help='output PNG')
    parser.add_argument('--opacity', type=float, default=0.5, help='segmentation mask opacity')
    parser.add_argument('--score-thr', type=float, default=0.3, help='hide weaker boxes')
    parser.add_argument('--device', default='cpu')
    return parse(
        parser,
        lambda args: (
            check_files(image=args.image, config_file=args.config, checkpoint=args.checkpoint),
            check_image(args.image),
            check_png_out(args.out, replace=True),
        ),
    )


def main(args):
    from mmengine.logging import MMLogger

    from mobilenet_v2.apis import build_model, check_checkpoint_fits, load_config
    from mobilenet_v2.apis.runner import quiet_console

    cfg = load_config(args.config)
    check_checkpoint_fits(build_model(cfg), args.checkpoint)  # before the Inferencer warns
    quiet_console(MMLogger.get_current_instance())  # the Inferencer's registry notice
    print(f'wrote {args.out} ({DEMOS[cfg.default_scope](cfg, args)})')


if __name__ == '__main__':
    run(parse_args, main)
