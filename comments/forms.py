from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.renderers import Jinja2
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from . import commenter, guards
from .models import Comment, Duplicate

NICKNAME_MAX_LENGTH = 30
NUL_REFUSED = _("留言含有不允许的字符，请删除后重新提交。")
DUPLICATE = _("您已经发表过相同的留言，请勿重复提交。")
NO_SUCH_PARENT = _("您回复的评论不存在或尚未公开。")


class TextField(forms.CharField):
    """A text box whose limit counts what is kept: control and zero-width characters go first.

    NUL is refused outright rather than stripped: no keyboard types it, only scripts do.
    """

    def __init__(self, *, limit, too_long, **kwargs):
        super().__init__(**kwargs)
        self.limit, self.too_long = limit, too_long
        self.validators = [ProhibitNullCharactersValidator(message=NUL_REFUSED)]
        self.widget.attrs["maxlength"] = str(limit)

    def clean(self, value):
        text = guards.clean_text(super().clean(value))
        if len(text) > self.limit:
            raise forms.ValidationError(self.too_long % {"limit": self.limit, "count": len(text)})
        return text


class CommentForm(forms.Form):
    """The reader's form. ``website`` is a honeypot: people never see it, bots fill it."""

    # Widgets rendered by Django's own Jinja2 widget templates, as the page around them is:
    # with Django's templates the form's three inputs took longer than the rest of the page.
    default_renderer = Jinja2()

    nickname = TextField(
        label=_("昵称"),
        required=False,
        limit=NICKNAME_MAX_LENGTH,
        too_long=_("昵称最多 %(limit)d 个字（现在是 %(count)d 个）。"),
    )
    body = TextField(
        label=_("留言内容"),
        widget=forms.Textarea(attrs={"rows": 5}),
        limit=settings.COMMENT_MAX_LENGTH,
        too_long=_("留言最多 %(limit)d 个字（现在是 %(count)d 个）。"),
        error_messages={"required": _("请填写留言内容。")},
    )
    website = forms.CharField(label=_("网站"), required=False)
    # Not required at field level: a missing token gets the same readable message as a bad one.
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    # 回复: the id of the comment answered (set by the 回复 link's page or comment-actions.js).
    parent = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, article, offline=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.offline = offline  # the database is down: checks that need it wait for the replay
        # An unbound form's token is made per reader (comments/section.py), so a cached page
        # never hands two readers the same one.
        if self.is_bound:
            self.data = self.data.copy()  # mutable, so a spoiled token can be replaced
        self.fields["nickname"].widget.attrs.update(
            {"placeholder": _("选填，留空显示为“热心网友”"), "autocomplete": "nickname"}
        )
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    @classmethod
    def to_submit_again(cls, data, *, article, reason):
        """The reader's text as typed, unvalidated, with ``reason`` on top and a fresh token.

        The token is dated as old as the minimum a form must be: the reader has just written
        the comment, and clicking again at once must not be refused as "too fast".
        """
        form = cls(data, article=article)
        form.data["token"] = guards.make_token(article.pk, age=settings.COMMENT_MIN_SECONDS)
        form.cleaned_data = {}
        form._errors = ErrorDict({NON_FIELD_ERRORS: form.error_class([reason])})
        return form

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body:  # only spaces or invisible characters
            raise forms.ValidationError(_("请填写留言内容。"))
        return body

    def clean_parent(self):
        """The visible comment of this article answered, or None. Anything else — a pending,
        rejected or missing comment, another article's, not a number — is refused with the same
        sentence: whether a hidden comment exists is not for readers to find out."""
        value = self.cleaned_data["parent"].strip()
        if not value:
            return None
        if self.offline:  # replies wait for the database: the spool stores top-level comments
            raise forms.ValidationError(_("暂时无法回复，请稍后再试。"))
        answered = None
        if value.isdigit() and len(value) < 12:
            answered = (
                Comment.objects.visible().filter(pk=int(value), article_id=self.article.pk).first()
            )
        if answered is None:
            self.data["parent"] = ""  # submitting again posts it as a comment of its own
            raise forms.ValidationError(NO_SUCH_PARENT)
        return answered

    def clean(self):
        cleaned = super().clean()
        # The honeypot's own field is hidden, so its refusal is said at the top of the form.
        if cleaned.get("website"):
            raise forms.ValidationError(_("提交未被接受，请不要填写“网站”一栏。"))
        token = cleaned.get("token", "")
        problem = guards.check_token(token, self.article.pk)
        if problem:
            if problem is not guards.TOO_FAST:
                # An expired or forged token would fail again: the re-rendered form gets a
                # fresh one, so the reader's next submit can succeed.
                self.data["token"] = guards.make_token(self.article.pk)
            raise forms.ValidationError(problem)
        body = cleaned.get("body")
        if body and not self.offline and self.is_duplicate(body):
            raise forms.ValidationError(DUPLICATE)
        return cleaned

    def is_duplicate(self, body: str) -> bool:
        token = self.cleaned_data.get("token", "")
        return Comment.objects.duplicate_of(self.article.pk, body, token).exists()

    def already_stored(self) -> Comment | None:
        """The comment this very form already produced (a double submit), if any."""
        return Comment.objects.filter(submission_token=self.cleaned_data["token"]).first()

    def save(self, request, address: str) -> tuple[Comment | None, bool]:
        """Store the comment pending (a blocked commenter's as spam): ``(comment, created)``;
        ``(None, False)`` with the form's error set when another form stored the same text a
        moment ago."""
        try:
            return Comment.submit(
                article_id=self.article.pk,
                nickname=self.cleaned_data["nickname"],
                body=self.cleaned_data["body"],
                token=self.cleaned_data["token"],
                address=address,
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                commenter_key=commenter.commenter_key(request),
                reply_to=self.cleaned_data.get("parent"),
            )
        except Duplicate:
            self.add_error(None, DUPLICATE)
            return None, False
