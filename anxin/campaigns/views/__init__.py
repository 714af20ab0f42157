from anxin.campaigns.views.articles import *  # noqa: F403
from anxin.campaigns.views.campaigns import *  # noqa: F403
