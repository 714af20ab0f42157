"""REST API of this app (R-Q-3): viewsets on core.api bases, same policy as the pages."""


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
