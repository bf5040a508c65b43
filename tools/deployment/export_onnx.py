"""Export a config's trained model to one ONNX graph that ONNX Runtime runs alone.

    python tools/deployment/export_onnx.py CONFIG CHECKPOINT --shape H W [--out FILE]
        [--dynamic-batch] [--seg-output logits|labels]
        [--int8 [--calib-images N] [--weight-bits 7|8]]

The graph takes float32 RGB images (N, 3, H, W) in 0..255 and gives the task's final
output (mobilenet_v2/deployment/export.py): classification scores; segmentation logits
or labels at the input size; detection boxes, scores, labels and batch indices after
NMS. The exported graph is checked against the PyTorch model on one input before the
tool reports success. ``--int8`` also writes ``<out>.int8.onnx``, quantized with ONNX
Runtime's static QDQ calibration on images of the config's training set, with 7-bit
weights where this CPU has no VNNI (its int8 kernels saturate on 8-bit ones;
``--weight-bits`` chooses for the machine the graph will run on), and says how often its
decisions (top-1 class, pixel labels, boxes) agree with the fp32 graph's on the first 16
of those images; tools/deployment/test_deployed.py gives its metric on the test set.
"""

import argparse
import os.path as osp

from mobilenet_v2.arguments import (
    OptionsAction,
    check_at_least,
    check_files,
    check_shape,
    parse,
    run,
)
from mobilenet_v2.messages import ConfigError

# the int8 graph's decisions are compared with the fp32 graph's on the first of the
# calibration images: through both graphs once each, about a third of the time that
# calibrating on the default 64 spent running the fp32 graph
AGREEMENT_IMAGES = 16


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--shape', type=int, nargs=2, required=True, metavar=('H', 'W'))
    parser.add_argument('--out', help='ONNX file to write (default: CHECKPOINT with .onnx)')
    parser.add_argument('--dynamic-batch', action='store_true', help='symbolic batch size')
    parser.add_argument('--seg-output', choices=['logits', 'labels'], default='logits')
    parser.add_argument('--int8', action='store_true', help='also write an int8 graph')
    parser.add_argument(
        '--calib-images', type=int, default=64, help='--int8 calibration images (default 64)'
    )
    parser.add_argument(
        '--weight-bits',
        type=int,
        choices=(7, 8),
        help="for --int8: 7 for CPUs without VNNI, 8 for those with (default: this CPU's)",
    )
    parser.add_argument('--force', action='store_true', help='replace existing files')
    parser.add_argument('--cfg-options', nargs='+', action=OptionsAction, default={})
    return parse(parser, check_arguments)


def check_arguments(args):
    """Files, sizes and outputs (``args.out``, ``args.int8_out`` set here): nothing is
    written over unless --force."""
    check_files(config_file=args.config, checkpoint=args.checkpoint)
    check_shape(args.shape)
    check_at_least(args, 1, 'calib_images')
    if args.weight_bits and not args.int8:
        raise ConfigError("--weight-bits sets the int8 graph's weights: add --int8")
    args.out = args.out or osp.splitext(args.checkpoint)[0] + '.onnx'
    args.int8_out = osp.splitext(args.out)[0] + '.int8.onnx'
    for path in [args.out, args.int8_out] if args.int8 else [args.out]:
        if osp.isdir(path) or not osp.isdir(osp.dirname(osp.abspath(path))):
            raise ConfigError(f'--out {args.out}: give a file name in an existing folder')
        if osp.exists(path) and not args.force:
            raise ConfigError(f'{path} exists: give another --out, or --force to replace it')


def main(args):
    import torch
    from mmengine.runner import load_checkpoint

    from mobilenet_v2.apis import build_model, check_checkpoint_fits, load_config
    from mobilenet_v2.deployment import OrtModel, export_onnx
    from mobilenet_v2.deployment.check import compare_outputs, decision_agreement
    from mobilenet_v2.deployment.quantize import calibration_images, quantize_onnx
    from mobilenet_v2.deployment.runtime import NO_VNNI, weight_bits

    out, int8_out = args.out, args.int8_out
    cfg = load_config(args.config, args.cfg_options)
    if args.seg_output != 'logits' and cfg.default_scope != 'mmseg':
        raise ConfigError(
            f'--seg-output is for segmentation configs; this one is {cfg.default_scope}'
        )
    images = calibration_images(cfg, args.shape, args.calib_images) if args.int8 else None
    model = build_model(cfg)
    check_checkpoint_fits(model, args.checkpoint)
    load_checkpoint(model, args.checkpoint, map_location='cpu', logger='silent')
    wrapper = export_onnx(cfg, model, out, args.shape, args.dynamic_batch, args.seg_output)
    sample = torch.rand(1, 3, *args.shape, generator=torch.Generator().manual_seed(0)) * 255
    with torch.no_grad():
        reference = wrapper(sample)
    fp32_graph = OrtModel(out)
    report = compare_outputs(reference, fp32_graph(sample), wrapper.output_names)
    print(f'wrote {out} ({osp.getsize(out) / 2**20:.1f} MiB); ONNX Runtime vs PyTorch: {report}')
    if args.int8:
        reduce_range = None if args.weight_bits is None else args.weight_bits == 7
        quantize_onnx(out, int8_out, images, reduce_range)
        bits = weight_bits(int8_out)
        why = f' ({NO_VNNI})'
        bits = f'{bits}-bit weights' + (why if bits == 7 and args.weight_bits is None else '')
        print(
            f'wrote {int8_out} ({osp.getsize(int8_out) / 2**20:.1f} MiB, calibrated on '
            f'{len(images)} training images, {bits})'
        )
        # after the line naming the graph: ONNX Runtime's session warns of 8-bit weights
        # on a CPU whose int8 kernels saturate (runtime.py)
        int8_graph = OrtModel(int8_out)
        report = compare_outputs(reference, int8_graph(sample), wrapper.output_names)
        print(f'int8 vs fp32 PyTorch: {report}')
        checked = [torch.from_numpy(image) for image in images[:AGREEMENT_IMAGES]]
        agreement = decision_agreement(
            [fp32_graph(x) for x in checked], [int8_graph(x) for x in checked], wrapper.output_names
        )
        print(
            f'int8 vs fp32 graph on calibration images (seen in calibration: a first look): '
            f'{agreement}; the metric on the test set: tools/deployment/test_deployed.py'
        )


if __name__ == '__main__':
    run(parse_args, main)
