"""Comment events other parts of the site react to (see receivers.py)."""

from django.dispatch import Signal

# Sent (inside the moderation transaction) whenever a comment becomes or stops being visible,
# or a visible one is shown differently (精选): the article's pages are made afresh.
comment_visibility_changed = Signal()
