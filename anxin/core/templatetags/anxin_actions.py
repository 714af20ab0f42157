"""``{% record_actions obj %}``: the buttons other apps offer on this record (core.actions)."""

from django import template

from anxin.core import actions

register = template.Library()


@register.inclusion_tag("includes/record_actions.html", takes_context=True)
def record_actions(context, obj):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"record_actions": actions.for_record(user, obj) if user is not None else []}
