"""The editors' article form: the rich-text body, sanitised as the form is cleaned."""

from django import forms
from django.utils import timezone
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from . import richtext
from .models import Article
from .photos import Photo, open_upload
from .revisions import ArticleRevision


def clean_body(value: str) -> str:
    # Plain text (a client without the editor's JavaScript) stays plain text and keeps its
    # paragraphs; HTML is allow-listed here so the form shows what will be stored.
    return richtext.sanitize(value) if richtext.is_html(value) else value


class ArticleAdminForm(forms.ModelForm):
    editor = None  # the user saving, set by the admin (a conflict revision records them)
    body = ProseEditorFormField(
        label="正文",
        required=True,
        config={"extensions": richtext.EDITOR_EXTENSIONS},
        sanitize=clean_body,
        widget=AdminProseEditorWidget,
        help_text=Article._meta.get_field("body").help_text,
    )
    # The version the editor started from: saving over a newer one is refused (clean()).
    known_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        # The admin's fieldsets decide what is shown; these are the fields an editor writes.
        fields = [
            "title",
            "summary",
            "body",
            "category",
            "status",
            "published_at",
            "is_headline",
            "allow_comments",
            "lead_photo",
            "source",
            "author",
            "responsible_editor",
            "source_script",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["body"] = richtext.editor_html(self.instance.body)
            self.initial["known_version"] = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors:
            self.refuse_saving_over_a_newer_version(cleaned)
        return cleaned

    def refuse_saving_over_a_newer_version(self, cleaned):
        """Optimistic concurrency. The admin validates and saves in one transaction, so the row
        stays locked from this check to the save: no other save can slip in between."""
        current = (
            Article.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        known = cleaned.get("known_version")
        # The admin's form always sends the version; a post without one has nothing to compare.
        if current is None or known is None or known == current:
            return
        latest = self.instance.revisions.filter(kind=ArticleRevision.Kind.SAVED).first()
        # Both versions are kept: theirs is the article, this one a conflict revision.
        values = {**cleaned, "category_id": getattr(cleaned.get("category"), "pk", None)}
        ArticleRevision.snapshot(
            self.instance,
            kind=ArticleRevision.Kind.CONFLICT,
            by=self.editor,
            note=f"基于第 {known} 版，未保存（当时已是第 {current} 版）",
            values={"version": known, **values},
        )
        # Submitting again now means "mine wins", knowingly.
        self.data = self.data.copy()
        self.data[self.add_prefix("known_version")] = current
        who = latest.saved_by if latest and latest.saved_by else "其他编辑"
        when = timezone.localtime(latest.saved_at).strftime("%H:%M") if latest else ""
        raise forms.ValidationError(
            f"未保存：{who} 在 {when} 保存了较新的第 {current} 版（你是在第 {known} 版上修改的）。"
            "你的修改没有覆盖它，已作为冲突稿保存在“历史”里，可在那里对比两个版本。"
            "如确认以你的版本为准，请再次点击保存。",
            code="stale",
        )


class PhotoUploadForm(forms.ModelForm):
    """A new photo: the file is checked and decoded here, so a bad one is a form error and
    nothing is stored; the admin then writes the renditions (Photo.store)."""

    upload = forms.FileField(
        label="图片文件",
        help_text="JPEG、PNG 或 WebP。上传后自动摆正方向、清除 EXIF（含 GPS 位置）"
        "并生成 480/960/1440 像素宽的版本。",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = Photo
        fields = ["caption", "credit"]

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        self.image = open_upload(upload)
        return upload
