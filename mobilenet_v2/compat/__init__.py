"""Stack shims, each naming the upstream version and issue it works around. Imported by
the tools that need them, never by ``import mobilenet_v2``."""
