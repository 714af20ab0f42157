"""Evidence files: the same checks and encrypted storage as governance's (one helper: type by
content, 20 MB, encrypted under a random name, downloads audited)."""

from anxin.governance.files import download, store  # noqa: F401
