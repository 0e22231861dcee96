from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from .exceptions import RightChangeRefused
from .forms import LoginForm, ThrottledPasswordChangeForm
from .home import home_page_for
from .permissions import capability_required
from .roles import Capability, Role
from .selectors import login_lockouts_current, role_matrix_get, role_right_changes_latest
from .services import login_lockout_lift, role_right_set


@login_required
def home(request):
    """Each person's home: the first page the apps registered (home.py) that they may have,
    rendered in place (the desk for those who lend, the school's overview for leaders, their
    own library page for every reader)."""
    page = home_page_for(request.user)
    if page is None:
        raise Http404("no home page is registered for this person")
    return page.resolve()(request)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ThrottledPasswordChangeForm
    success_url = reverse_lazy("home")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "first_password": self.request.user.password_change_required,
        }

    def form_valid(self, form):
        # Saved with the new password (form.save() saves the whole user).
        form.user.password_change_required = False
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes calls this in place of the login when there were too many failures."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"cooloff_minutes": minutes}, status=429)


@capability_required(Capability.MANAGE_ACCOUNTS)
def role_matrix(request):
    """The rights of each role; the administrator gives a right to a role or takes it away
    here (the service team's volunteers at the desk, teachers reserving …), each change kept."""
    if request.method == "POST":
        try:
            role, capability = Role(request.POST.get("role")), Capability(request.POST.get("capability"))
        except ValueError:
            messages.error(request, _("Choose a role and a right from the table."))
            return redirect("accounts:role-matrix")
        granted = request.POST.get("granted") == "1"
        try:
            changed = role_right_set(role=role, capability=capability, granted=granted, user=request.user)
        except RightChangeRefused as error:
            messages.error(request, error.message)
        else:
            if changed:
                template = (
                    _("%(role)s may now: %(right)s.") if granted else _("%(role)s may no longer: %(right)s.")
                )
                messages.success(request, template % {"role": role.label, "right": capability.label})
        return redirect("accounts:role-matrix")
    context = role_matrix_get()
    context["changes"] = role_right_changes_latest()
    context["fixed_role"] = Role.ADMINISTRATOR.value
    return render(request, "accounts/role_matrix.html", context)


@capability_required(Capability.MANAGE_READERS)
def login_lockouts(request):
    """Accounts and addresses whose sign-in is paused after too many failures; a librarian
    lifts a pause here (a pupil who forgot the password and tried too often)."""
    if request.method == "POST":
        account = request.POST.get("account", "")
        address = request.POST.get("address", "")
        lifted = login_lockout_lift(account=account, address=address, user=request.user)
        if lifted:
            messages.success(
                request, _("Sign-in is possible again for %(who)s.") % {"who": account or address}
            )
        else:
            messages.error(request, _("That sign-in was not paused (or its pause has already ended)."))
        return redirect("accounts:login-lockouts")
    return render(request, "accounts/login_lockouts.html", login_lockouts_current())
