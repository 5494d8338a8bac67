from django import forms
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import guards
from .models import BannedWord, Comment


class CommentForm(forms.Form):
    """The reader's form. ``website`` is a honeypot: people never see it, bots fill it."""

    nickname = forms.CharField(label=_("昵称"), max_length=30, required=False, strip=False)
    body = forms.CharField(
        label=_("留言内容"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=settings.COMMENT_MAX_LENGTH,
        error_messages={"required": _("请填写留言内容。")},
    )
    website = forms.CharField(label=_("网站"), required=False)
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        if not self.is_bound:
            self.initial["token"] = guards.make_token(article.pk)
        self.fields["nickname"].widget.attrs.update(
            {"placeholder": _("选填，留空显示为“热心网友”"), "autocomplete": "nickname"}
        )
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_nickname(self):
        return guards.clean_text(self.cleaned_data["nickname"])

    def clean_body(self):
        body = guards.clean_text(self.cleaned_data["body"])
        if not body:
            raise forms.ValidationError(_("请填写留言内容。"))
        return body

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError(_("提交未被接受，请不要填写“网站”一栏。"))
        return ""

    def clean(self):
        cleaned = super().clean()
        token = cleaned.get("token")
        if token:
            problem = guards.check_token(token, self.article.pk)
            if problem:
                raise forms.ValidationError(problem)
        body = cleaned.get("body")
        if body and self.is_duplicate(body):
            raise forms.ValidationError(_("您已经发表过相同的留言，请勿重复提交。"))
        return cleaned

    def is_duplicate(self, body: str) -> bool:
        since = timezone.now() - timezone.timedelta(days=1)
        return (
            Comment.objects.filter(article=self.article, body=body, created_at__gte=since)
            .exclude(submission_token=self.cleaned_data.get("token"))
            .exists()
        )

    def already_stored(self) -> Comment | None:
        """The comment this very form already produced (a double submit), if any."""
        return Comment.objects.filter(submission_token=self.cleaned_data["token"]).first()

    def save(self, request, address: str) -> Comment:
        nickname, body = self.cleaned_data["nickname"], self.cleaned_data["body"]
        words = BannedWord.objects.values_list("word", flat=True)
        reasons = guards.suspicion_reasons(nickname, body, words)
        try:
            with transaction.atomic():
                return Comment.objects.create(
                    article=self.article,
                    nickname=nickname,
                    body=body,
                    ip_address=address or None,
                    user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
                    suspected=bool(reasons),
                    suspicion_reasons=reasons,
                    submission_token=self.cleaned_data["token"],
                )
        except IntegrityError:
            # The same form arrived twice at the same moment: the other request stored it.
            return self.already_stored()
