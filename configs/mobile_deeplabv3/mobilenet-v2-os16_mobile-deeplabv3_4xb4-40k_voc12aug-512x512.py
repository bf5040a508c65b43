# The paper's Mobile DeepLabv3 (Table 7) on PASCAL VOC 2012 with the SBD augmented set
# (mmseg's pascal_voc12_aug layout), where the paper measured: 4 GPUs x 4 crops of
# 512x512, SGD lr 0.01 with poly decay for 40k iterations (mmseg's DeepLabV3 VOC recipe).
#   bash tools/dist_train.sh configs/mobile_deeplabv3/mobilenet-v2-os16_mobile-deeplabv3_4xb4-40k_voc12aug-512x512.py 4
_base_ = [
    '../_base_/models/mobile-deeplabv3_os16.py',
    'mmseg::_base_/datasets/pascal_voc12_aug.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_40k.py',
]
crop_size = (512, 512)
model = dict(data_preprocessor=dict(size=crop_size))
