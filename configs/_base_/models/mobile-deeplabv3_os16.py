# The paper's Mobile DeepLabv3 (Table 7): MobileNetV2 1.0 at output stride 16 (DeepLab's
# dilation convention), the DeepLabv3 head on the second-to-last feature map (layer7,
# 320 channels), 256 channels, ASPP rates 6/12/18. 21 classes (PASCAL VOC) by default.
# 4.52M params (paper: 4.52M). No auxiliary head, as in the paper.
_base_ = './mobilenet-v2_encoder-decoder.py'
model = dict(
    backbone=dict(output_stride=16, out_indices=(6,)),
    decode_head=dict(
        type='mobilenet_v2.MobileASPPHead',
        in_channels=320,
        in_index=0,
        channels=256,
        dilations=(1, 6, 12, 18),
        dropout_ratio=0.1,
        num_classes=21,
        norm_cfg={{_base_.norm_cfg}},
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
    ),
)
