# The paper's Mobile DeepLabv3 without ASPP (OS16, Table 7) trained from scratch on the
# toy Cityscapes-format streets: 96x192 crops, a few minutes on 2 CPU cores; the model
# the int8 accuracy of docs/deployment.md is measured on.
#   python tools/train.py configs/toy/mobilenet-v2-os16_mobile-deeplabv3-noaspp_toy-cityscapes.py
_base_ = [
    '../_base_/models/mobile-deeplabv3-noaspp_os16.py',
    '../_base_/datasets/toy-cityscapes.py',
    'mmseg::_base_/default_runtime.py',
    '../_base_/schedules/toy-seg.py',
]
crop_size = (96, 192)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(init_cfg=None),  # from scratch: no ImageNet weights offline
    decode_head=dict(num_classes=19),
)
