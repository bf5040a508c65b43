# MobileNetV2 1.0 on ImageNet-1k at 224, mmpretrain's recipe: 8 GPUs x 32 images, SGD
# lr 0.045 (wd 4e-5) decayed x0.98 per epoch for 300 epochs. mmpretrain's result: 71.86
# top-1. Data: data/imagenet in mmpretrain's layout (docs/datasets.md).
#   bash tools/dist_train.sh configs/mobilenet_v2/mobilenet-v2_8xb32_in1k.py 8
_base_ = [
    '../_base_/models/mobilenet-v2_in1k.py',
    'mmpretrain::_base_/datasets/imagenet_bs32_pil_resize.py',
    'mmpretrain::_base_/schedules/imagenet_bs256_epochstep.py',
    'mmpretrain::_base_/default_runtime.py',
]

# the same model as mmpretrain's own (benchmark.py --compare-upstream times both)
upstream_config = 'mmpretrain::mobilenet_v2/mobilenet-v2_8xb32_in1k.py'
