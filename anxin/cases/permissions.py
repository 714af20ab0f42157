"""This app's rights, merged into anxin.core.policy.PERMISSIONS (same shape:
``"<app>.<model>.<action>": (frozenset of roles, "中文说明")``)."""

PERMISSIONS: dict = {}
