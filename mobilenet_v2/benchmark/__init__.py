from .complexity import CONVENTION, Complexity, count_complexity, format_table
from .models import build_model

__all__ = ['CONVENTION', 'Complexity', 'count_complexity', 'format_table', 'build_model']
