# The paper's Mobile DeepLabv3 without ASPP on Cityscapes (19 classes) with the M-V2-D8 configs' recipe:
# 4 GPUs x 2 crops of 512x1024, 80k iterations, whole-image test at 2048x1024.
_base_ = [
    '../_base_/models/mobile-deeplabv3-noaspp_os16.py',
    'mmseg::_base_/datasets/cityscapes.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py',
]
crop_size = (512, 1024)
model = dict(data_preprocessor=dict(size=crop_size), decode_head=dict(num_classes=19))
