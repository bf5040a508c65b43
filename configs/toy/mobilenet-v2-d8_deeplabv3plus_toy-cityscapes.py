# The M-V2-D8 DeepLabV3+ model (SyncBN reverted to BN on one process) trained from scratch on
# the toy Cityscapes-format streets: 96x192 crops, heads narrowed to 64 channels,
# a few minutes on 2 CPU cores.
#   python tools/train.py configs/toy/mobilenet-v2-d8_deeplabv3plus_toy-cityscapes.py
_base_ = [
    '../_base_/models/mobilenet-v2-d8_deeplabv3plus.py',
    '../_base_/datasets/toy-cityscapes.py',
    'mmseg::_base_/default_runtime.py',
    '../_base_/schedules/toy-seg.py',
]
crop_size = (96, 192)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(init_cfg=None),  # from scratch: no ImageNet weights offline
    decode_head=dict(channels=64),
    auxiliary_head=dict(channels=32),
)
