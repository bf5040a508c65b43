# The toy SSDLite with its backbone initialised from the toy ImageNet classifier, the way
# real SSDLite training starts from ImageNet weights: the classifier has already learnt
# edges, corners and shapes, so the detector needs half the iterations of the scratch
# toy config and reaches a higher held-out mAP (docs/detection.md, `make demo-detection`).
#   python tools/train.py configs/toy/mobilenet-v2_toy-imagenet.py --work-dir work_dirs/toy-imagenet
#   python tools/train.py configs/toy/ssdlite-paper_mobilenetv2-toy-imagenet_toy-coco.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/toy-imagenet/best_....pth
_base_ = './ssdlite-paper_mobilenetv2_toy-coco.py'
toy_imagenet_checkpoint = 'work_dirs/toy-imagenet/toy-imagenet_backbone.pth'
model = dict(
    backbone=dict(
        init_cfg=dict(
            _delete_=True, type='Pretrained', checkpoint=toy_imagenet_checkpoint, prefix='backbone'
        )
    )
)
max_iters = 300
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=30, end=max_iters, eta_min=1e-5),
]
default_hooks = dict(checkpoint=dict(interval=max_iters))
