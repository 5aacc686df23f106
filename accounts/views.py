from django.shortcuts import render

from .roles import signed_in


@signed_in
def dashboard(request):
    """Where a person lands after signing in: what each of their roles lets them do."""
    return render(request, "accounts/dashboard.html", {"roles": request.user.roles})
