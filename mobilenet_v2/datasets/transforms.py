"""Loading that names the file when the data does not fit the dataset's coding."""

import numpy as np
from mmseg.datasets.transforms import LoadAnnotations

from ..registry import TRANSFORMS


class DataError(ValueError):
    """A dataset file is unreadable or does not fit the dataset; the message names it."""


def _values(array: np.ndarray, limit: int = 8) -> str:
    values = np.unique(array)
    shown = ', '.join(str(v) for v in values[:limit])
    return shown + (f' ... ({len(values)} values)' if len(values) > limit else '')


@TRANSFORMS.register_module()
class LoadCheckedAnnotations(LoadAnnotations):
    """mmseg's ``LoadAnnotations``, then the label map checked against the dataset.

    Our tools put it in place of ``LoadAnnotations`` in segmentation pipelines
    (``apis.runner``), so a label that does not fit stops the run at the file, at
    training and at testing alike, instead of an ``IndexError`` deep in the loss or a
    metric computed with the offending pixels silently dropped.

    Args:
        num_classes: The model's classes (``decode_head.num_classes``): after
            ``reduce_zero_label`` and ``label_map``, labels must be in
            ``0 .. num_classes - 1`` or equal ``ignore_index``.
        ignore_index: The label ignored by loss and metric (mmseg's default 255).
        **kwargs: ``LoadAnnotations``'s.

    Raises:
        DataError: the label file cannot be decoded (truncated, not an image); it holds
            values outside the classes, naming them and the likely cause. The check
            costs one pass over the label (no decoding beyond mmseg's own). A label of
            another size than its image is found before the run, from the file headers
            (``apis.config.check_label_sizes``, which the same tools run first).
    """

    def __init__(self, num_classes: int, ignore_index: int = 255, **kwargs):
        super().__init__(**kwargs)
        self.num_classes, self.ignore_index = num_classes, ignore_index

    def _load_seg_map(self, results: dict) -> None:
        path = results['seg_map_path']
        try:
            super()._load_seg_map(results)
        except (OSError, AttributeError) as err:  # PIL: truncated; cv2: None for non-images
            raise DataError(
                f'label {path} cannot be decoded ({err}): the file is truncated or no image; '
                'regenerate it, or remove its sample from the split'
            ) from None
        label = results['gt_seg_map']
        outside = (label >= self.num_classes) & (label != self.ignore_index)
        if outside.any():
            raise DataError(
                f'label {path} holds values {_values(label[outside])} outside the '
                f'{self.num_classes} classes (0..{self.num_classes - 1}) and the ignore '
                f'index {self.ignore_index}: ' + self._likely_cause(results, label[outside])
            )

    def _likely_cause(self, results: dict, values: np.ndarray) -> str:
        if self.num_classes == 19 and values.max() <= 33:
            return (
                'Cityscapes labels must be trainIds (*_labelTrainIds.png), not labelIds: '
                'convert them with tools/dataset_converters/cityscapes.py'
            )
        if not results.get('reduce_zero_label') and values.max() == self.num_classes:
            return 'labels numbered from 1 (0 = other) need reduce_zero_label=True (ADE20K)'
        return 'the files use another label coding than the config (num_classes, label_map)'
