"""Photos: checked and cleaned at upload, resized once into renditions, shown with ``srcset``.

At upload (the admin's form, never a reader's request) an image is opened only after its
header says it is a JPEG, PNG or WebP of acceptable size, decoded once, turned upright from its
EXIF orientation, copied pixel by pixel into a fresh image (so no EXIF, GPS, XMP or comments
survive), and saved as a clean master plus renditions 480/960/1440 px wide in WebP and JPEG.
Files go through Django's default storage: ``var/media`` here, S3-compatible storage through
django-storages on several hosts. Pages link the renditions; nothing is resized per request.
"""

import io
import re
import secrets
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.variants.convert import EMPTY_GLOSSARY, Glossary, detect_script, render

from . import richtext

WIDTHS = (480, 960, 1440)
FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
JPEG_QUALITY = 82
WEBP_QUALITY = 80
# The article column is at most 40em (640 px); a phone shows it across the screen less margins.
BODY_SIZES = "(max-width: 700px) calc(100vw - 32px), 640px"
THUMB_SIZES = "160px"


def open_upload(upload) -> Image.Image:
    """The uploaded file as a decoded image, or a ValidationError an editor can act on."""
    limit_mb = settings.PHOTO_MAX_BYTES // (1024 * 1024)
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            f"图片文件太大（{upload.size / 1048576:.0f} MB），上限为 {limit_mb} MB。"
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own pixel limit; here every bomb is an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            if image.format not in FORMATS:
                raise ValidationError(
                    f"不支持的图片格式（{image.format}）：请上传 JPEG、PNG 或 WebP。"
                )
            width, height = image.size
            if width * height > settings.PHOTO_MAX_PIXELS:
                raise ValidationError(
                    f"图片像素太多（{width}×{height}），上限为 "
                    f"{settings.PHOTO_MAX_PIXELS // 1_000_000} 百万像素。"
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError("图片像素太多（疑似“解压炸弹”），无法处理。") from error
    except UnidentifiedImageError as error:
        raise ValidationError("这不是图片文件：请上传 JPEG、PNG 或 WebP。") from error
    except (OSError, SyntaxError, ValueError) as error:
        raise ValidationError("图片文件已损坏或不完整，无法读取。") from error
    return image


def cleaned(image: Image.Image) -> Image.Image:
    """Upright RGB pixels in a new image: nothing of the file's metadata comes along."""
    upright = ImageOps.exif_transpose(image)
    if upright.mode in ("RGBA", "LA") or (upright.mode == "P" and "transparency" in upright.info):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
    else:
        flat = upright.convert("RGB")
    fresh = Image.new("RGB", flat.size)
    fresh.paste(flat)
    return fresh


def encoded(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    else:
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()


class Photo(models.Model):
    """An uploaded photo: its clean master, renditions, caption (per variant) and credit."""

    key = models.CharField(max_length=32, unique=True, editable=False)
    master = models.CharField("原图（已清除元数据）", max_length=200, editable=False)
    width = models.PositiveIntegerField("宽", editable=False)
    height = models.PositiveIntegerField("高", editable=False)
    # [{"width": 480, "height": 320, "jpeg": "photos/<key>/480.jpg", "webp": …}, …], narrowest first
    renditions = models.JSONField(default=list, editable=False)
    caption = models.CharField(
        "图片说明", max_length=300, blank=True, help_text="显示在图片下方，按读者的字体转换。"
    )
    credit = models.CharField(
        "图片来源", max_length=100, blank=True, help_text="如：本网记者 张三 摄"
    )
    caption_variants = models.JSONField(default=dict, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="上传者",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "图片"
        verbose_name_plural = "图片"

    def __str__(self):
        return self.caption[:40] or f"图片 {self.pk}"

    def save(self, *args, glossary: Glossary = EMPTY_GLOSSARY, **kwargs):
        """Save with caption and credit rendered in every variant; callers pass the editors'
        glossary (``GlossaryTerm.objects.as_glossary()``; this module cannot import it)."""
        self.refresh_renderings(glossary)
        super().save(*args, **kwargs)

    # --- at upload ------------------------------------------------------------------------------

    def store(self, image: Image.Image) -> None:
        """Write the clean master and every rendition of ``image`` (from ``open_upload``)."""
        self.key = self.key or secrets.token_hex(16)
        clean = cleaned(image)
        self.width, self.height = clean.size
        folder = f"photos/{self.key}"
        self.master = default_storage.save(
            f"{folder}/master.jpg", ContentFile(encoded(clean, "JPEG"))
        )
        widths = [w for w in WIDTHS if w < clean.width] + [min(clean.width, WIDTHS[-1])]
        self.renditions = []
        for width in sorted(set(widths)):
            height = round(clean.height * width / clean.width)
            resized = (
                clean if width == clean.width else clean.resize((width, height), Image.LANCZOS)
            )
            entry = {"width": width, "height": height}
            for fmt, ext in (("JPEG", "jpg"), ("WEBP", "webp")):
                name = default_storage.save(
                    f"{folder}/{width}.{ext}", ContentFile(encoded(resized, fmt))
                )
                entry[ext if ext == "webp" else "jpeg"] = name
            self.renditions.append(entry)

    def refresh_renderings(self, glossary: Glossary = EMPTY_GLOSSARY):
        script = detect_script([self.caption, self.credit])
        self.caption_variants = {
            "caption": render(self.caption, script, glossary),
            "credit": render(self.credit, script, glossary),
        }

    # --- on pages -------------------------------------------------------------------------------

    def url(self, name: str) -> str:
        return default_storage.url(name)

    @property
    def src(self) -> str:
        """The URL editors put in a body (the middle rendition): it names the photo."""
        return self.url(self.default["jpeg"])

    @property
    def default(self) -> dict:
        middle = [r for r in self.renditions if r["width"] <= 960]
        return (middle or self.renditions)[-1]

    @property
    def largest_url(self) -> str:
        return self.url(self.renditions[-1]["jpeg"])

    def caption_in(self, variant: str) -> str:
        return self.caption_variants.get("caption", {}).get(variant) or self.caption

    def credit_in(self, variant: str) -> str:
        return self.caption_variants.get("credit", {}).get(variant) or self.credit

    def srcset(self, fmt: str) -> str:
        return ", ".join(f"{self.url(r[fmt])} {r['width']}w" for r in self.renditions)

    def picture(self, alt: str, *, sizes: str = BODY_SIZES, lazy: bool = True) -> SafeString:
        """``<picture>``: WebP renditions, JPEG fallback, fixed box (no layout shift)."""
        default = self.default
        loading = (
            mark_safe(' loading="lazy" decoding="async"')
            if lazy
            else mark_safe(' fetchpriority="high" decoding="async"')
        )
        return format_html(
            '<picture><source type="image/webp" srcset="{}" sizes="{}">'
            '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{}></picture>',
            self.srcset("webp"),
            sizes,
            self.url(default["jpeg"]),
            self.srcset("jpeg"),
            sizes,
            default["width"],
            default["height"],
            alt,
            loading,
        )

    def thumbnail(self) -> SafeString:
        """A list's small picture (the narrowest renditions), lazily loaded."""
        first = self.renditions[0]
        return format_html(
            '<picture class="thumb"><source type="image/webp" srcset="{}" sizes="{}">'
            '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt=""'
            ' loading="lazy" decoding="async"></picture>',
            self.srcset("webp"),
            THUMB_SIZES,
            self.url(first["jpeg"]),
            self.srcset("jpeg"),
            THUMB_SIZES,
            first["width"],
            first["height"],
        )

    def figure(self, variant: str, caption_html: str = "", *, lazy: bool = True) -> SafeString:
        """The photo as the body and the article page show it, caption and credit below.
        ``caption_html`` is the editor's caption in the body (already sanitised, converted)."""
        caption = caption_html or escape(self.caption_in(variant))
        credit = self.credit_in(variant)
        alt = richtext.plain_text(caption) if caption_html else self.caption_in(variant)
        parts = [str(self.picture(alt, lazy=lazy))]
        if caption or credit:
            credit_html = format_html('<span class="credit">{}</span>', credit) if credit else ""
            parts.append(f"<figcaption>{caption}{credit_html}</figcaption>")
        return mark_safe('<figure class="photo">' + "".join(parts) + "</figure>")


# --- photos in an article body ------------------------------------------------------------------

IMG = re.compile(r"<img\b[^>]*>")
PHOTO_IN_BODY = re.compile(r"<figure>(?P<figure>.*?)</figure>|(?P<img><img\b[^>]*>)", re.S)
SRC_KEY = re.compile(r'src="[^"]*?photos/([0-9a-f]{32})/')
FIGCAPTION = re.compile(r"<figcaption>(.*?)</figcaption>", re.S)


def keys_in(body_html: str) -> set[str]:
    return set(SRC_KEY.findall(body_html))


def expand(body_html: str, photos: dict, variant: str) -> str:
    """Replace each photo in a body (a ``<figure>`` from the editor, or a bare ``<img>``) with
    its full markup in ``variant``; a photo that no longer exists is left out."""

    def photo_for(img_tag: str):
        match = SRC_KEY.search(img_tag)
        return photos.get(match.group(1)) if match else None

    def replace(match):
        if match.group("img"):
            # A bare image sits inside a text block, where a <figure> may not: the picture
            # alone, its caption as its alternative text.
            photo = photo_for(match.group("img"))
            return str(photo.picture(photo.caption_in(variant))) if photo else ""
        inner = match.group("figure")
        img = IMG.search(inner)
        photo = photo_for(img.group(0)) if img else None
        if photo is None:
            return ""
        caption = FIGCAPTION.search(inner)
        return photo.figure(variant, caption.group(1).strip() if caption else "")

    return PHOTO_IN_BODY.sub(replace, body_html)
