"""This app's menu entries, merged into anxin.core.nav.NAV."""

NAV: list = []
