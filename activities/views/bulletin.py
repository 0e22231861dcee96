"""The bulletin and the library's standing pages: shown to everyone signed in, and to visitors
when the administrator switched the public pages on; written by those who run activities."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import ActivitiesError
from ..forms.bulletin import LibraryPageForm, PostForm, PromotionSettingsForm
from ..models import BulletinPost, LibraryPage
from ..selectors.bulletin import (
    collection_structure,
    library_pages,
    opening_hours_table,
    posts_current,
    posts_for_staff,
)
from ..services.bulletin import (
    library_page_save,
    post_save,
    post_withdraw,
    promotion_settings,
    promotion_settings_save,
)


def public_when(switch: str):
    """Open to visitors when the promotion settings' ``switch`` is on; to signed-in people always."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated and not getattr(promotion_settings(), switch):
                return redirect_to_login(request.get_full_path())
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@public_when("public_bulletin")
def bulletin(request):
    posts = posts_current(public=not request.user.is_authenticated)
    return render(request, "activities/promotion/bulletin.html", {"posts": posts, "pages": library_pages()})


@public_when("public_bulletin")
def bulletin_screen(request):
    """The bulletin on the school's big screen (宣传栏 in the corridor or the reading room): no
    menu, large type, one post at a time (static/js/screen.js turns them every 15 s, pinned first),
    the week's opening hours beside it; the page reloads itself every five minutes for new posts.
    Only the posts meant for the public: a screen is seen by anyone passing."""
    return render(
        request,
        "activities/promotion/screen.html",
        {"posts": posts_current(public=True), "hours": opening_hours_table(), "refresh_seconds": 300},
    )


@public_when("public_bulletin")
def post_image(request, post_id: int):
    post = get_object_or_404(BulletinPost.objects.only("image", "is_public", "withdrawn_at"), pk=post_id)
    if post.image is None or post.withdrawn_at or (not request.user.is_authenticated and not post.is_public):
        raise Http404
    response = HttpResponse(bytes(post.image), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@public_when("public_pages")
def library_page(request, key: str):
    if key not in LibraryPage.Key.values:
        raise Http404
    page = LibraryPage.objects.filter(key=key).first()
    context = {"page": page, "key": key, "label": LibraryPage.Key(key).label}
    if key == LibraryPage.Key.RULES:
        context["hours"] = opening_hours_table()
    return render(request, "activities/promotion/library_page.html", context)


@public_when("public_pages")
def opening_hours(request):
    return render(request, "activities/promotion/opening_hours.html", {"hours": opening_hours_table()})


@public_when("public_pages")
def collection(request):
    return render(request, "activities/promotion/collection.html", {"structure": collection_structure()})


@capability_required(Capability.MANAGE_ACTIVITIES)
def bulletin_manage(request):
    return render(
        request,
        "activities/promotion/bulletin_manage.html",
        {"posts": posts_for_staff(), "pages": library_pages()},
    )


@capability_required(Capability.MANAGE_ACTIVITIES)
def post_edit(request, post_id: int | None = None):
    post = get_object_or_404(BulletinPost, pk=post_id) if post_id else None
    initial = {"is_public": True}
    if post:
        initial = {
            "kind": post.kind, "title": post.title, "body": post.body_html, "pinned": post.pinned,
            "is_public": post.is_public, "publish_at": post.publish_at, "expires_at": post.expires_at,
            "image_alt": post.image_alt,
        }  # fmt: skip
    form = PostForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post = post_save(
                user=request.user, post=post, title=data["title"], body=data["body"], kind=data["kind"],
                pinned=data["pinned"], is_public=data["is_public"], publish_at=data["publish_at"],
                expires_at=data["expires_at"], image=data["image"] or None, image_alt=data["image_alt"],
            )  # fmt: skip
        except ActivitiesError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("The post is saved."))
            return redirect("activities:bulletin-manage")
    return render(request, "activities/promotion/post_form.html", {"form": form, "post": post})


@capability_required(Capability.MANAGE_ACTIVITIES)
@require_POST
def post_withdraw_view(request, post_id: int):
    post_withdraw(post=get_object_or_404(BulletinPost, pk=post_id), user=request.user)
    messages.success(request, _("The post is withdrawn."))
    return redirect("activities:bulletin-manage")


@capability_required(Capability.MANAGE_ACTIVITIES)
def library_page_edit(request, key: str):
    if key not in LibraryPage.Key.values:
        raise Http404
    page = LibraryPage.objects.filter(key=key).first()
    initial = {"title": page.title, "body": page.body_html} if page else {"title": LibraryPage.Key(key).label}
    form = LibraryPageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            library_page_save(
                key=key, title=form.cleaned_data["title"], body=form.cleaned_data["body"], user=request.user
            )
        except ActivitiesError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("The page is saved."))
            return redirect("activities:library-page", key)
    return render(request, "activities/promotion/page_form.html", {"form": form, "key": key})


@capability_required(Capability.MANAGE_POLICIES)
def promotion_settings_edit(request):
    form = PromotionSettingsForm(request.POST or None, instance=promotion_settings())
    if request.method == "POST" and form.is_valid():
        promotion_settings_save(user=request.user, **form.cleaned_data)
        messages.success(request, _("The settings are saved."))
        return redirect("activities:promotion-settings")
    return render(request, "activities/promotion/settings.html", {"form": form})
