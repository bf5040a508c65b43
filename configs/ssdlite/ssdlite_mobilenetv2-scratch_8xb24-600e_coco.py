# SSDLite on COCO, mmdet 3.3.0's recipe with our MobileNetV2 in place of mmdet's: from
# scratch, 320x320, backbone outputs (4, 7) = layer5 (96 ch) and conv2 (1280 ch), SSDNeck
# and SSDHead with depthwise convs, BN eps 1e-3 momentum 0.03, SGD lr 0.015 with warm-up
# and cosine decay, 120 epochs over RepeatDataset x5 (= 600), 8 GPUs x 24 images.
# mmdet's result: 21.3 box AP on val2017, 69.9 fps on a V100.
#   bash tools/dist_train.sh configs/ssdlite/ssdlite_mobilenetv2-scratch_8xb24-600e_coco.py 8
_base_ = 'mmdet::ssd/ssdlite_mobilenetv2-scratch_8xb24-600e_coco.py'
custom_imports = dict(
    imports=['mobilenet_v2', 'mobilenet_v2.models.det'], allow_failed_imports=False
)
# the same arguments as mmdet's MobileNetV2 (ours is a superset) and SSDHead; only the
# classes change (SSDLiteHead: mmdet 3.3.0's SSDHead cannot predict, see its docstring)
model = dict(
    backbone=dict(type='mobilenet_v2.MobileNetV2'), bbox_head=dict(type='mobilenet_v2.SSDLiteHead')
)

# the same model as mmdet's own (benchmark.py --compare-upstream times both)
upstream_config = 'mmdet::ssd/ssdlite_mobilenetv2-scratch_8xb24-600e_coco.py'
