# SSDLite as the paper builds it (section 6.2, Tables 5 and 6): the first SSDLite layer
# on the expansion of layer 15 (576 channels, output stride 16), the second on the last
# layer (conv2, 1280 channels, stride 32); the extra layers (1x1 to half, depthwise 3x3
# stride 2, 1x1) and the prediction layers (depthwise 3x3, 1x1) are depthwise separable.
# Everything else is the mmdet recipe above. Remaining differences from the paper:
# docs/detection.md.
_base_ = './ssdlite_mobilenetv2-scratch_8xb24-600e_coco.py'
model = dict(
    backbone=dict(out_indices=(7,), expansion_outputs=('layer6.0',)),  # TF-slim layer 15
    neck=dict(in_channels=(576, 1280), out_channels=(576, 1280, 512, 256, 256, 128)),
    bbox_head=dict(
        in_channels=(576, 1280, 512, 256, 256, 128),
        # three boxes on the first level, as TF's reduce_boxes_in_lowest_layer
        anchor_generator=dict(type='mobilenet_v2.SSDLiteAnchorGenerator'),
    ),
)
upstream_config = None  # no upstream model of this architecture
