"""The comments app's models, one module per concern; every name is importable from here.

- comment.py: ``Comment`` and its QuerySet, ``Duplicate``, the renderings of a reader's text
  (``render_literally``, ``glossary_fingerprint``) and ``DecisionBatch`` — everything a
  decision implies lives with the comment it changes.
- status.py: ``Comment.Status`` (pending, approved, rejected, spam), shared with ``Decision``.
- listing.py: ``ListedComments``, the public list of an article's comments.
- decisions.py: the decision log ``Decision``, ``RejectionReason``, ``UNDO_WINDOW`` and the
  refusals (``DecisionConflict``, ``CannotUndo``, ``Refused``).
- community.py: readers on comments — 顶 (``Like``, ``TooManyLikes``) and 举报 (``Report``).
- moderation.py: what moderators set up — ``BannedWord``, ``Block``, ``IntakeRule``,
  ``DeskPreference``.
"""

from .comment import (
    Comment,
    CommentQuerySet,
    DecisionBatch,
    Duplicate,
    glossary_fingerprint,
    render_literally,
)
from .community import Like, Report, TooManyLikes
from .decisions import (
    UNDO_WINDOW,
    CannotUndo,
    Decision,
    DecisionConflict,
    DecisionQuerySet,
    Refused,
    RejectionReason,
    RejectionReasonQuerySet,
)
from .listing import (
    HEAVY_ARTICLE_FIELDS,
    REPLIES_LISTED,
    REPLY_ORDER,
    ListedComments,
    item_rows,
    listed_before,
)
from .moderation import BannedWord, Block, BlockQuerySet, DeskPreference, IntakeRule

__all__ = [
    "HEAVY_ARTICLE_FIELDS",
    "REPLIES_LISTED",
    "REPLY_ORDER",
    "UNDO_WINDOW",
    "BannedWord",
    "Block",
    "BlockQuerySet",
    "CannotUndo",
    "Comment",
    "CommentQuerySet",
    "Decision",
    "DecisionBatch",
    "DecisionConflict",
    "DecisionQuerySet",
    "DeskPreference",
    "Duplicate",
    "IntakeRule",
    "Like",
    "ListedComments",
    "Refused",
    "RejectionReason",
    "RejectionReasonQuerySet",
    "Report",
    "TooManyLikes",
    "glossary_fingerprint",
    "item_rows",
    "listed_before",
    "render_literally",
]
