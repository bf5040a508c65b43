# The M-V2-D8 FCN model (150 classes) trained from scratch on the toy ADE20K-format
# rooms: 96x96 crops, heads narrowed to 64 channels, a few minutes on 2 CPU cores.
#   python tools/train.py configs/toy/mobilenet-v2-d8_fcn_toy-ade20k.py
_base_ = [
    '../_base_/models/mobilenet-v2-d8_fcn.py',
    '../_base_/datasets/toy-ade20k.py',
    'mmseg::_base_/default_runtime.py',
    '../_base_/schedules/toy-seg.py',
]
crop_size = (96, 96)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(init_cfg=None),  # from scratch: no ImageNet weights offline
    decode_head=dict(channels=64, num_classes=150),
    auxiliary_head=dict(channels=32, num_classes=150),
)
