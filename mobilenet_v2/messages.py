"""What the toolbox tells its users: ``ConfigError`` (a mistake the tools end on with one
line, ``apis.cli``) and ``ToolboxWarning`` (printed as one line without stopping). A
leaf module: the models raise them too, and the tools' argument checks (``arguments``)
import nothing heavier."""


class ConfigError(ValueError):
    """A user's config, option or data path is wrong; the message says which."""


class ToolboxWarning(UserWarning):
    """Something a user should know, and may want to change, that does not stop the run;
    the tools print it as one line (``cli``), not Python's file, line and source line."""
