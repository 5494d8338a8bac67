from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def moderation_queue_summary(context):
    """Pending count and oldest age for the admin index; nothing for non-moderators."""
    if not context["request"].user.has_perm("comments.moderate_comment"):
        return None
    from ..admin import queue_summary

    return queue_summary()
