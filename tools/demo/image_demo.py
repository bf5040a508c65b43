"""Run a trained model on one image and write what it sees as a PNG.

    python tools/demo/image_demo.py IMAGE CONFIG CHECKPOINT --out result.png

Segmentation configs (mmseg scope) give a colour overlay of the predicted classes,
detection configs (mmdet scope) the image with the predicted boxes.
"""

import argparse

from PIL import Image, UnidentifiedImageError

from mobilenet_v2.apis import ConfigError, check_checkpoint_fits, load_config
from mobilenet_v2.apis.cli import check_files, run_cli


def segment(cfg, args) -> str:
    from mmseg.apis import inference_model, init_model, show_result_pyplot

    model = init_model(cfg, args.checkpoint, device=args.device)
    check_checkpoint_fits(model, args.checkpoint)
    result = inference_model(model, args.image)
    show_result_pyplot(
        model, args.image, result, opacity=args.opacity, show=False, out_file=args.out
    )
    return 'colour overlay'


def detect(cfg, args) -> str:
    import mmcv
    from mmdet.apis import inference_detector, init_detector
    from mmdet.registry import VISUALIZERS

    model = init_detector(cfg, args.checkpoint, device=args.device)
    check_checkpoint_fits(model, args.checkpoint)
    result = inference_detector(model, args.image)
    visualizer = VISUALIZERS.build(model.cfg.visualizer)
    visualizer.dataset_meta = model.dataset_meta
    image = mmcv.imconvert(mmcv.imread(args.image), 'bgr', 'rgb')
    visualizer.add_datasample(
        'result',
        image,
        data_sample=result,
        draw_gt=False,
        show=False,
        out_file=args.out,
        pred_score_thr=args.score_thr,
    )
    kept = int((result.pred_instances.scores >= args.score_thr).sum())
    return f'{kept} boxes with score >= {args.score_thr}'


DEMOS = {'mmseg': segment, 'mmdet': detect}


def check_image(path: str):
    """ConfigError naming ``path`` when it is not an image that decodes completely."""
    try:
        with Image.open(path) as image:
            image.load()
    except (UnidentifiedImageError, OSError) as err:
        raise ConfigError(f'image {path} cannot be read ({err}): give a PNG or JPEG file') from None


def run_demo(cfg, args) -> str:
    try:
        return DEMOS[cfg.default_scope](cfg, args)
    except KeyError as err:
        if err.args != ('meta',):
            raise
        raise ConfigError(
            f'checkpoint {args.checkpoint} has no "meta" (a bare state dict?): the demo '
            'reads the class names from it; use a checkpoint written by tools/train.py'
        ) from None


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('image', help='input image')
    parser.add_argument('config', help='a segmentation or detection config of this toolbox')
    parser.add_argument('checkpoint', help='trained weights')
    parser.add_argument('--out', default='result.png', help='output PNG')
    parser.add_argument('--opacity', type=float, default=0.5, help='segmentation mask opacity')
    parser.add_argument('--score-thr', type=float, default=0.3, help='hide weaker boxes')
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()
    check_files(image=args.image, checkpoint=args.checkpoint)
    check_image(args.image)
    cfg = load_config(args.config)
    if cfg.default_scope not in DEMOS:
        raise ConfigError(
            f'{args.config} is a {cfg.default_scope} config; the demo draws '
            'segmentation (mmseg) and detection (mmdet) results'
        )
    print(f'wrote {args.out} ({run_demo(cfg, args)})')


if __name__ == '__main__':
    run_cli(main)
