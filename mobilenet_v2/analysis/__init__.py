"""Measuring models: parameters and multiply-adds (``complexity``), inference time and
the environment it ran in (``timing``)."""

from .complexity import CONVENTION, Complexity, count_complexity, format_table
from .timing import environment, time_calls

__all__ = [
    'CONVENTION',
    'Complexity',
    'count_complexity',
    'format_table',
    'environment',
    'time_calls',
]
