# M-V2-D8 + DeepLabV3+ on Cityscapes, mmseg 1.2.2's recipe: 4 GPUs x 2 crops of 512x1024,
# SGD lr 0.01 with poly decay for 80k iterations, whole-image test at 2048x1024.
#   bash tools/dist_train.sh configs/deeplabv3plus/mobilenet-v2-d8_deeplabv3plus_4xb2-80k_cityscapes-512x1024.py 4
_base_ = [
    '../_base_/models/mobilenet-v2-d8_deeplabv3plus.py',
    'mmseg::_base_/datasets/cityscapes.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py',
]
crop_size = (512, 1024)
model = dict(data_preprocessor=dict(size=crop_size))

# the same model as mmseg's own (benchmark.py --compare-upstream times both)
upstream_config = (
    'mmseg::mobilenet_v2/mobilenet-v2-d8_deeplabv3plus_4xb2-80k_cityscapes-512x1024.py'
)
