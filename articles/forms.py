"""The editors' article form: the rich-text body, sanitised as the form is cleaned."""

from django import forms
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from . import richtext
from .models import Article


def clean_body(value: str) -> str:
    # Plain text (a client without the editor's JavaScript) stays plain text and keeps its
    # paragraphs; HTML is allow-listed here so the form shows what will be stored.
    return richtext.sanitize(value) if richtext.is_html(value) else value


class ArticleAdminForm(forms.ModelForm):
    body = ProseEditorFormField(
        label="正文",
        required=True,
        config={"extensions": richtext.EDITOR_EXTENSIONS},
        sanitize=clean_body,
        widget=AdminProseEditorWidget,
        help_text=Article._meta.get_field("body").help_text,
    )

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
            "source",
            "author",
            "source_script",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["body"] = richtext.editor_html(self.instance.body)
