"""The library's bulletin (宣传栏) and its standing pages: news and notices written by librarians
(rich text kept only as sanitised HTML, an optional image resized and stored beside it), pinned
or not, shown between a publication and an expiry time; the standing pages (introduction for new
pupils, borrowing rules) kept by the librarian; and the administrator's switches for what the
public (signed-out) pages show."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from library_site.accounts.fields import actor_field


class PromotionSettings(models.Model):
    """What the public pages show, as the administrator switched it on. One row."""

    public_bulletin = models.BooleanField(_("show the bulletin on the public page"), default=True)
    public_pages = models.BooleanField(_("show the library's standing pages publicly"), default=True)
    public_transparency = models.BooleanField(_("show the transparency page publicly"), default=False)
    transparency_months = models.CharField(
        _("months whose statistics the transparency page shows"),
        max_length=200,
        blank=True,
        help_text=_("Months as YYYY-MM, separated by commas, for example 2026-09,2026-10."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = actor_field(_("changed by"))

    class Meta:
        verbose_name = _("promotion settings")
        verbose_name_plural = _("promotion settings")

    def __str__(self) -> str:
        return str(_("promotion settings"))

    @property
    def months(self) -> list[str]:
        return [item.strip() for item in self.transparency_months.split(",") if item.strip()]


class BulletinPost(models.Model):
    """A piece of news or a notice on the bulletin."""

    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        NOTICE = "notice", _("Notice")
        NEW_BOOKS = "new_books", _("New books")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NEWS)
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    # Only ever written by the service, through nh3: the template shows it as safe HTML.
    body_html = models.TextField(_("text"), blank=True)
    image = models.BinaryField(_("image"), null=True, blank=True, editable=False)
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    is_public = models.BooleanField(_("also on the public page"), default=True)
    publish_at = models.DateTimeField(_("published from"), default=timezone.now)
    expires_at = models.DateTimeField(_("shown until"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = actor_field(_("written by"))
    updated_at = models.DateTimeField(auto_now=True)
    # Withdrawn, not deleted: what was published stays on record.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = actor_field(_("withdrawn by"))

    class Meta:
        verbose_name = _("bulletin post")
        verbose_name_plural = _("bulletin posts")
        ordering = ["-pinned", "-publish_at", "-pk"]
        indexes = [models.Index(fields=["publish_at"], name="bulletin_post_publish")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("publish_at")),
                name="bulletin_post_expires_after_publish",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_image(self) -> bool:
        return self.image_width is not None


class LibraryPage(models.Model):
    """A standing page kept by the librarian (its text sanitised like a post's)."""

    class Key(models.TextChoices):
        INTRODUCTION = "introduction", _("The library for new pupils")
        RULES = "rules", _("Borrowing rules")

    key = models.CharField(
        pgettext_lazy("library page", "page"), max_length=20, choices=Key.choices, unique=True
    )
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    body_html = models.TextField(_("text"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = actor_field(_("changed by"))

    class Meta:
        verbose_name = _("library page")
        verbose_name_plural = _("library pages")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.title
