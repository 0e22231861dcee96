"""The bulletin's posts and the library's standing pages: every write sanitises the rich text
with nh3 (library_site/rich_text.py) and checks and resizes the image with Pillow, before
anything is saved."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from library_site.accounts.models import User
from library_site.documents.exceptions import ImageRefused
from library_site.rich_text import rich_text_clean

from ..exceptions import PromotionRefused
from ..models import BulletinPost, LibraryPage, PromotionSettings

POST_IMAGE_BOX = (1200, 900)


def promotion_settings() -> PromotionSettings:
    settings_row = PromotionSettings.objects.order_by("pk").first()
    return settings_row or PromotionSettings.objects.create()


@transaction.atomic
def promotion_settings_save(*, user: User, **fields) -> PromotionSettings:
    row = PromotionSettings.objects.select_for_update().order_by("pk").first() or PromotionSettings()
    for name, value in fields.items():
        setattr(row, name, value)
    row.updated_by = user
    row.save()
    return row


def _check_dates(publish_at: datetime, expires_at: datetime | None) -> None:
    if expires_at is not None and expires_at <= publish_at:
        raise PromotionRefused(_("The post must be shown until a time after it is published."))


@transaction.atomic
def post_save(
    *,
    user: User,
    title: str,
    body: str,
    kind: str = BulletinPost.Kind.NEWS,
    pinned: bool = False,
    is_public: bool = True,
    publish_at: datetime | None = None,
    expires_at: datetime | None = None,
    image=None,
    image_alt: str = "",
    post: BulletinPost | None = None,
) -> BulletinPost:
    """Write a new post, or change ``post``: its text sanitised, its image (if sent) checked
    and resized. A refused image or date saves nothing."""
    from library_site.documents.images import image_prepare

    publish_at = publish_at or (post.publish_at if post else timezone.now())
    _check_dates(publish_at, expires_at)
    title = (title or "").strip()
    if not title:
        raise PromotionRefused(_("Give the post a title."))
    prepared = None
    if image is not None:
        try:
            (prepared,) = image_prepare(image, sizes=[POST_IMAGE_BOX])
        except ImageRefused as refusal:
            raise PromotionRefused(refusal.message) from refusal
    if post is None:
        post = BulletinPost(created_by=user)
    else:
        post = BulletinPost.objects.select_for_update().get(pk=post.pk)
        if post.withdrawn_at:
            raise PromotionRefused(_("This post was withdrawn and can no longer be changed."))
    post.title = title
    post.body_html = rich_text_clean(body)
    post.kind = kind
    post.pinned = pinned
    post.is_public = is_public
    post.publish_at = publish_at
    post.expires_at = expires_at
    post.image_alt = image_alt
    if prepared is not None:
        post.image, post.image_width, post.image_height = prepared.data, prepared.width, prepared.height
    post.save()
    return post


@transaction.atomic
def post_withdraw(*, post: BulletinPost, user: User) -> BulletinPost:
    post = BulletinPost.objects.select_for_update().get(pk=post.pk)
    if post.withdrawn_at is None:
        post.withdrawn_at = timezone.now()
        post.withdrawn_by = user
        post.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return post


@transaction.atomic
def library_page_save(*, key: str, title: str, body: str, user: User) -> LibraryPage:
    if key not in LibraryPage.Key.values:
        raise PromotionRefused()
    title = (title or "").strip()
    if not title:
        raise PromotionRefused(_("Give the page a title."))
    page, _created = LibraryPage.objects.select_for_update().get_or_create(key=key, defaults={"title": title})
    page.title = title
    page.body_html = rich_text_clean(body)
    page.updated_by = user
    page.save()
    return page
