# M-V2-D8 + DeepLabV3+ on ADE20K (150 classes, reduce_zero_label), mmseg 1.2.2's recipe:
# 4 GPUs x 4 crops of 512x512, SGD lr 0.01 with poly decay for 160k iterations.
#   bash tools/dist_train.sh configs/deeplabv3plus/mobilenet-v2-d8_deeplabv3plus_4xb4-160k_ade20k-512x512.py 4
_base_ = [
    '../_base_/models/mobilenet-v2-d8_deeplabv3plus.py',
    'mmseg::_base_/datasets/ade20k.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_160k.py',
]
crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=150),
    auxiliary_head=dict(num_classes=150),
)

# the same model as mmseg's own (benchmark.py --compare-upstream times both)
upstream_config = 'mmseg::mobilenet_v2/mobilenet-v2-d8_deeplabv3plus_4xb4-160k_ade20k-512x512.py'
