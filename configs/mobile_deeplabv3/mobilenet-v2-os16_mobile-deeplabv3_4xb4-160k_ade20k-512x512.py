# The paper's Mobile DeepLabv3 on ADE20K (150 classes) with the M-V2-D8 configs' recipe:
# 4 GPUs x 4 crops of 512x512, 160k iterations.
_base_ = [
    '../_base_/models/mobile-deeplabv3_os16.py',
    'mmseg::_base_/datasets/ade20k.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_160k.py',
]
crop_size = (512, 512)
model = dict(data_preprocessor=dict(size=crop_size), decode_head=dict(num_classes=150))
