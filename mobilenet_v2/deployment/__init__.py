"""Fast inference: our models as self-contained ONNX graphs (pre-processing, network and
post-processing, NMS included for detection), run by ONNX Runtime or OpenVINO in fp32 or
int8."""

from .export import DeployModel, export_onnx
from .runtime import OpenVinoModel, OrtModel, openvino_precisions

__all__ = ['DeployModel', 'export_onnx', 'OrtModel', 'OpenVinoModel', 'openvino_precisions']
