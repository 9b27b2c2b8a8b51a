"""What the volunteering routes share: who may open them, and the page that tells
someone who is no team leader what this part is for.

Every role of the district may open the volunteering pages (a member who follows a
link gets a clear answer, not a bare 403), but their links show only to those with
work there — the admin and the leaders of teams (`Identity.leads_volunteers`,
app.web.guards `shown_if`). The services refuse anyone else with NOT_A_LEADER.
"""

from __future__ import annotations

from litestar import Request
from litestar.response import Template

from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import TENANT_ROLES, Role
from app.web.guards import allow
from app.web.responses import render


def runs_volunteering(identity: Identity) -> bool:
    return identity.leads_volunteers


VOLUNTEERS = allow(*TENANT_ROLES, shown_if=runs_volunteering)
ADMIN = allow(Role.TENANT_ADMIN)


def refused_page(request: Request, refused: Refused) -> Template:
    """A page this user has no work on: the reason in words, as a 403 (a place the
    role does not open, for the menu's test; the words for the person)."""
    return render(
        request, "volunteering/refused.html", {"message": refused.text()}, status_code=403
    )
