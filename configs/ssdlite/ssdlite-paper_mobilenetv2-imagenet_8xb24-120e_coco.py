# The paper's SSDLite with the backbone initialised from a local ImageNet checkpoint:
# mmpretrain's mobilenet-v2_8xb32_in1k weights or one trained here with
# configs/mobilenet_v2/mobilenet-v2_8xb32_in1k.py (both hold 'backbone.*' keys). A
# pretrained backbone needs a fifth of the scratch schedule: 24 epochs over
# RepeatDataset x5 (= 120), the same lr, warm-up and cosine decay.
#   python tools/train.py configs/ssdlite/ssdlite-paper_mobilenetv2-imagenet_8xb24-120e_coco.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=PATH   (or edit the path below)
_base_ = './ssdlite-paper_mobilenetv2-scratch_8xb24-600e_coco.py'
imagenet_checkpoint = 'checkpoints/mobilenet-v2_8xb32_in1k.pth'
model = dict(
    backbone=dict(
        init_cfg=dict(
            _delete_=True, type='Pretrained', checkpoint=imagenet_checkpoint, prefix='backbone'
        )
    )
)
max_epochs = 24
train_cfg = dict(max_epochs=max_epochs, val_interval=2)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(
        type='CosineAnnealingLR',
        begin=0,
        T_max=max_epochs,
        end=max_epochs,
        by_epoch=True,
        eta_min=0,
    ),
]
