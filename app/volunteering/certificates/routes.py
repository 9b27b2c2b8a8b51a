"""Certificate pages: a volunteer's own record (/volunteering/mine), the admin's view of
anyone's (/volunteering/people/{id}, linked from the person's roster page), issuing,
the PDF, revoking — and the public check (/verify), open to anyone."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from babel.dates import format_date
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.login.routes import client_ip
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import TENANT_ROLES, Role
from app.i18n import N_, _, current_locale
from app.state import AppServices
from app.volunteering.certificates import codes
from app.volunteering.certificates.checks import LookupThrottle, verify
from app.volunteering.certificates.document import (
    certificate_pdf,
    check_url,
    filename,
    hours_text,
    warm_up,
)
from app.volunteering.certificates.forms import parse_period, parse_reason, period_form
from app.volunteering.certificates.service import CertificateService
from app.web.downloads import DOWNLOAD, attachment
from app.web.flash import flash
from app.web.guards import PUBLIC, allow, on_the_roster
from app.web.responses import form_data, refused_back, render, see_other, sent_back

MINE = "/volunteering/mine"


VOLUNTEERS = allow(*TENANT_ROLES, shown_if=on_the_roster)
"""Any account of a district may open it (its own record is there if it is linked to a
person); the menu shows it only to accounts linked to a person of the roster."""
RECORD = "volunteering/certificates/record.html"
CHECK = "volunteering/certificates/verify.html"
PDF = "application/pdf"

NOT_FOUND = N_("No certificate with this number was found.")
MALFORMED = N_(
    "A verification number has 12 letters and digits, like ABCD-EFGH-JKMN; it has no 0, 1, "
    "O, I or L. Please check it."
)
TOO_MANY = N_("Too many checks from this network. Please try again in %(minutes)s minutes.")


def long_day(day: date) -> str:
    """2026年1月5日: the whole date, as a certificate's period is said."""
    return format_date(day, format="long", locale=current_locale.get())


HELPERS = {"hours": hours_text, "long_day": long_day, "grouped": codes.grouped}
"""What the templates use to write hours, days and codes."""


def provide_certificates(db_session: NamedDependency[AsyncSession]) -> CertificateService:
    return CertificateService(db_session)


def person_page(person_id: UUID) -> str:
    return f"/volunteering/people/{person_id}"


class CertificateController(Controller):
    """A volunteer's record and certificates; the guard of each route says who."""

    path = "/volunteering"
    dependencies = {"certificates": Provide(provide_certificates, sync_to_thread=False)}

    @get("/mine", opt=VOLUNTEERS)
    async def mine(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        certificates: NamedDependency[CertificateService],
    ) -> Template:
        if identity.person_id is None:  # not in the menu either (on_the_roster)
            return render(request, RECORD, {"person": None, "own": True, **HELPERS},
                          status_code=403)  # fmt: skip
        context = await _record(certificates, identity, identity.person_id, own=True)
        return render(request, RECORD, {**context, "form": period_form(), "errors": {}})

    @post("/mine/certificates", opt=VOLUNTEERS)
    async def issue_mine(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        certificates: NamedDependency[CertificateService],
    ) -> Any:
        if identity.person_id is None:
            return see_other(request, MINE)
        return await _issue(request, certificates, identity, identity.person_id, own=True)

    @get("/people/{person_id:uuid}", opt=allow(Role.TENANT_ADMIN))
    async def person(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        certificates: NamedDependency[CertificateService],
        person_id: FromPath[UUID],
    ) -> Template:
        context = await _record(certificates, identity, person_id, own=False)
        return render(request, RECORD, {**context, "form": period_form(), "errors": {}})

    @post("/people/{person_id:uuid}/certificates", opt=allow(Role.TENANT_ADMIN))
    async def issue(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        certificates: NamedDependency[CertificateService],
        person_id: FromPath[UUID],
    ) -> Any:
        return await _issue(request, certificates, identity, person_id, own=False)

    @get("/certificates/{certificate_id:uuid}/pdf", opt={**VOLUNTEERS, **DOWNLOAD})
    async def pdf(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        services: NamedDependency[AppServices],
        certificates: NamedDependency[CertificateService],
        certificate_id: FromPath[UUID],
    ) -> Response[Any]:
        person_id = await certificates.person_of(identity, certificate_id)
        try:
            document = await certificates.document(identity, certificate_id)
        except Refused as exc:
            own = person_id == identity.person_id
            return refused_back(request, exc, MINE if own else person_page(person_id))
        public = services.settings.notify.public_url or str(request.base_url)
        content = await certificate_pdf(document, check_url(public, document.certificate.code))
        return attachment(
            content, filename(document), fallback=f"certificate-{document.certificate.code}.pdf",
            media_type=PDF,
        )  # fmt: skip

    @post("/certificates/{certificate_id:uuid}/revoke", opt=allow(Role.TENANT_ADMIN))
    async def revoke(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        certificates: NamedDependency[CertificateService],
        certificate_id: FromPath[UUID],
    ) -> Response[Any]:
        person_id = await certificates.person_of(identity, certificate_id)
        data = await form_data(request)
        try:
            await certificates.revoke(identity, certificate_id, parse_reason(data))
        except Refused as exc:
            return refused_back(request, exc, person_page(person_id))
        flash(request, "success", _("The certificate was revoked."))
        return see_other(request, person_page(person_id))


async def _record(
    certificates: CertificateService, identity: Identity, person_id: UUID, *, own: bool
) -> dict[str, Any]:
    name = await certificates.person_name(identity, person_id)
    warm_up()  # a download may follow: WeasyPrint loads meanwhile
    return {
        "person": {"id": person_id, "name": name},
        "own": own,
        "years": await certificates.years(person_id),
        "issued": await certificates.certificates(person_id),
        "action": f"{MINE}/certificates" if own else f"{person_page(person_id)}/certificates",
        **HELPERS,
    }


async def _issue(
    request: Request,
    certificates: CertificateService,
    identity: Identity,
    person_id: UUID,
    *,
    own: bool,
) -> Any:
    await certificates.person_name(identity, person_id)  # 404 before reading the form
    data = await form_data(request)
    try:
        issued = await certificates.issue(identity, person_id, parse_period(data))
    except Refused as exc:
        context = await _record(certificates, identity, person_id, own=own)
        return sent_back(request, RECORD, {**context, "form": data}, exc)
    flash(
        request, "success",
        _("The certificate was issued. Its verification number is %(code)s.",
          code=codes.grouped(issued.code)),
    )  # fmt: skip
    return see_other(request, MINE if own else person_page(person_id))


@get("/verify", opt=PUBLIC)
async def verify_form(request: Request) -> Any:
    """The public check's form; a typed number goes to its own address."""
    typed = request.query_params.get("code")
    if typed is None:
        return _check(request, {})
    code = codes.normal(typed)
    if code is None:
        return _check(request, {"code": typed[:40]}, _(MALFORMED), 422)
    return see_other(request, f"/verify/{code}")


@get("/verify/{code:str}", opt=PUBLIC)
async def verify_code(
    request: Request,
    db_session: NamedDependency[AsyncSession],
    services: NamedDependency[AppServices],
    code: FromPath[str],
) -> Template:
    """What anyone may know of a certificate: masked name, period, hours, district, day
    of issue, and whether it was revoked or its hours changed since."""
    wait = await LookupThrottle(services.redis).reserve(client_ip(request))
    if wait:
        return _check(request, {}, _(TOO_MANY, minutes=(wait + 59) // 60), 429)
    normal = codes.normal(code)
    if normal is None:
        return _check(request, {"code": code[:40]}, _(MALFORMED), 422)
    found = await verify(db_session, normal)
    if found is None:
        return _check(request, {"code": codes.grouped(normal)}, _(NOT_FOUND), 404)
    context: dict[str, Any] = {"form": {}, "error": None, "found": found, **HELPERS}
    context["code"] = codes.grouped(normal)
    return render(request, CHECK, context)


def _check(
    request: Request, form: dict[str, str], error: str | None = None, status: int = 200
) -> Template:
    """The check's form: empty, or again with what was typed and why it found nothing."""
    context = {"form": form, "error": error, "found": None, **HELPERS}
    return render(request, CHECK, context, status_code=status)


ROUTES: list[ControllerRouterHandler] = [CertificateController, verify_form, verify_code]
