from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def dashboard(request):
    """Where a person lands after signing in: what each of their roles lets them do."""
    return render(request, "accounts/dashboard.html", {"roles": request.user.roles})
