"""What the toolbox tells its users without stopping: ``ToolboxWarning``, which the tools
print as one line (``apis.cli``). A leaf module: the models raise it too."""


class ToolboxWarning(UserWarning):
    """Something a user should know, and may want to change, that does not stop the run;
    the tools print it as one line (``cli``), not Python's file, line and source line."""
