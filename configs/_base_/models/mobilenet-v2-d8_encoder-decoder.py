# MobileNetV2 1.0 at output stride 8 ("M-V2-D8") as in mmsegmentation 1.2.2's
# configs/mobilenet_v2: outputs of layer2 (24 ch), layer3 (32), layer5 (96), layer7 (320);
# the auxiliary FCN head on the 96-channel stage with weight 0.4. The method fragments
# beside this file add the decode head. Cityscapes' 19 classes by default.
_base_ = './mobilenet-v2_encoder-decoder.py'
model = dict(
    backbone=dict(
        strides=(1, 2, 2, 1, 1, 1, 1),
        dilations=(1, 1, 1, 2, 2, 4, 4),  # mmseg's: first block of each stage only
        out_indices=(1, 2, 4, 6),
    ),
    auxiliary_head=dict(
        type='FCNHead',
        in_channels=96,
        in_index=2,
        channels=256,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg={{_base_.norm_cfg}},
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4),
    ),
)
