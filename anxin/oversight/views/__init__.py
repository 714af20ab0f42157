from anxin.oversight.views.accountability import (  # noqa: F401
    ActionListView,
    accountability,
    action_create,
    action_detail,
    settings_view,
)
from anxin.oversight.views.posts import (  # noqa: F401
    ObservationListView,
    my_posts,
    observe,
    post_create,
    post_detail,
    post_edit,
    post_list,
    shift_create,
    shift_delete,
    shift_edit,
)
