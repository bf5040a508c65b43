"""mmseg 1.2.2's SegVisualizationHook needs training data to draw test predictions."""

import os.path as osp

import mmcv
from mmengine import fileio
from mmseg.engine.hooks import SegVisualizationHook

from ..registry import HOOKS


@HOOKS.register_module()
class SegTestVisualizationHook(SegVisualizationHook):
    """SegVisualizationHook whose test-time drawings do not build the train loop.

    mmseg 1.2.2 passes ``step=runner.iter`` for every drawing; ``runner.iter`` is the
    train loop's counter, and reading it builds the train loop and its dataloader, so
    ``tools/test.py --show-dir`` failed where the train split is absent (mmseg issue
    3471, fixed upstream after 1.2.2). At test time this hook numbers the drawings by
    the test batch index instead; training and validation are mmseg's own.
    """

    def after_test_iter(self, runner, batch_idx: int, data_batch: dict, outputs) -> None:
        if not self.draw or not self.every_n_inner_iters(batch_idx, self.interval):
            return
        for output in outputs:
            img_bytes = fileio.get(output.img_path, backend_args=self.backend_args)
            self._visualizer.add_datasample(
                f'test_{osp.basename(output.img_path)}',
                mmcv.imfrombytes(img_bytes, channel_order='rgb'),
                data_sample=output,
                show=self.show,
                wait_time=self.wait_time,
                step=batch_idx,
            )
