"""Convert Keras Applications' MobileNetV2 weights (alpha 0.35-1.4) to our layout.

    python tools/model_converters/keras2mobilenet_v2.py \
        mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5 OUT.pth

SRC is a Keras 2 HDF5 weights file (Keras Applications' downloads, or
``model.save_weights('x.h5')``), read with h5py. Keras' MobileNetV2 normalises with BN
eps 1e-3 and pads its stride-2 convs as TensorFlow does: use the converted weights with
``model.backbone.tf_padding=True`` and ``norm_cfg=dict(type='BN', eps=1e-3)`` (backbone
and, for the classifier, nothing else), and Keras' input scaling (pixels to [-1, 1]:
mean 127.5, std 127.5, RGB). Its classifier has 1000 classes (no background class).
"""

from mobilenet_v2.arguments import parse_conversion, run
from mobilenet_v2.messages import ConfigError


def main(args):
    import torch

    from mobilenet_v2.models.converters import keras_to_ours, read_keras_h5

    try:
        weights = read_keras_h5(args.src)
    except (OSError, KeyError):  # h5py: no HDF5 signature; no layer_names: not Keras 2's
        raise ConfigError(
            f'{args.src} is no Keras 2 HDF5 weights file (.h5 with layer_names): give the '
            "Keras Applications download or model.save_weights('x.h5')"
        ) from None
    try:
        converted = keras_to_ours(weights)
    except KeyError as err:
        raise ConfigError(f'{args.src}: {err.args[0]}: is it a MobileNetV2?') from None
    meta = dict(converted_from=args.src, source='keras', tf_padding=True, bn_eps=1e-3)
    torch.save(dict(state_dict=converted, meta=meta), args.dst)
    print(f'wrote {args.dst}')


if __name__ == '__main__':
    run(lambda: parse_conversion(__doc__, 'Keras HDF5 weights (.h5)'), main)
