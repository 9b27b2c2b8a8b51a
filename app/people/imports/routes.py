"""Roster import pages: upload, follow the dry run, commit or discard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from app.core.errors import Refused
from app.core.identity import Identity
from app.core.query_params import query_choice, query_page
from app.core.roles import Role
from app.i18n import N_, _
from app.people.deps import provide_imports, provide_org
from app.people.forms import chosen_id
from app.people.imports.headers import column_label
from app.people.imports.problems import problems_filename
from app.people.imports.reader import MAX_BYTES
from app.people.imports.service import ROW_FILTERS, RUNNING, ImportService
from app.people.models import CATEGORY_LABELS, ImportStatus, UnitKind
from app.people.org.service import OrgService
from app.web.downloads import DOWNLOAD, attachment
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, refused_back, render, see_other, sent_back

UPLOAD_LIMIT = MAX_BYTES + 1024 * 1024  # the file plus the form around it


class ImportController(Controller):
    """The district administrator imports a roster from Excel."""

    path = "/people/imports"
    opt = allow(Role.TENANT_ADMIN)
    dependencies = {
        "imports": Provide(provide_imports, sync_to_thread=False),
        "org": Provide(provide_org, sync_to_thread=False),
    }

    @get("/")
    async def index(self, request: Request, imports: NamedDependency[ImportService]) -> Template:
        return render(request, "people/imports.html", await _recent(imports))

    @post("/", request_max_body_size=UPLOAD_LIMIT)
    async def upload(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        imports: NamedDependency[ImportService],
    ) -> Any:
        form = await request.form()
        upload = form.get("file")
        category = str(form.get("default_category") or "")
        try:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise Refused(N_("Please choose a file."))
            data = await upload.read()
            import_id = await imports.upload(upload.filename, data, category, identity.actor)
        except Refused as exc:
            return sent_back(request, "people/imports.html", await _recent(imports), exc)
        return see_other(request, f"/people/imports/{import_id}")

    @get("/{import_id:uuid}")
    async def detail(
        self,
        request: Request,
        imports: NamedDependency[ImportService],
        org: NamedDependency[OrgService],
        import_id: FromPath[UUID],
    ) -> Template:
        found = await imports.get(import_id)
        which = query_choice(request.query_params, "show", ROW_FILTERS)
        summary = found.summary or {}
        if which not in ROW_FILTERS:
            which = "error" if summary.get("error") else "all"
        if found.status == ImportStatus.COMMITTED and which not in ("error", "warning"):
            which = "error" if summary.get("error") else "warning"  # only these are kept
        return render(
            request,
            "people/import.html",
            {
                "imp": found,
                "summary": summary,
                "rows": await imports.rows(import_id, which, query_page(request.query_params)),
                "which": which,
                "running": found.status in RUNNING,
                "stuck": await imports.stuck(found),
                "parents": await org.choices(UnitKind.CENTER, UnitKind.SUBCENTER),
                "column_label": _column_labeller(summary.get("columns", {})),
                "categories": CATEGORY_LABELS,
            },
            fragment="people/_import_body.html",
        )

    @post("/{import_id:uuid}/commit")
    async def commit(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        imports: NamedDependency[ImportService],
        import_id: FromPath[UUID],
    ) -> Any:
        await imports.get(import_id)
        data = await form_data(request)
        back = f"/people/imports/{import_id}"
        try:
            parent = chosen_id(data, "parent_id")
            await imports.commit(import_id, data.get("mode", ""), parent, identity.actor)
        except Refused as exc:
            return refused_back(request, exc, back)
        return see_other(request, back)

    @post("/{import_id:uuid}/again")
    async def start_again(
        self, request: Request, imports: NamedDependency[ImportService], import_id: FromPath[UUID]
    ) -> Any:
        """A check or commit whose job was lost (the worker killed, Valkey restarted):
        the page offers this once it has waited a minute; the worker's sweep does the
        same by itself every minute."""
        back = f"/people/imports/{import_id}"
        try:
            await imports.start_again(import_id)
        except Refused as exc:
            return refused_back(request, exc, back)
        flash(request, "info", _("Started again. This page updates by itself."))
        return see_other(request, back)

    @post("/{import_id:uuid}/infirm")
    async def confirm_infirm(
        self, request: Request, imports: NamedDependency[ImportService], import_id: FromPath[UUID]
    ) -> Any:
        """Confirm (or take back) the infirm flag a health note proposes: one row, or all."""
        await imports.get(import_id)
        data = await form_data(request)
        page = data.get("page", "1")
        back = f"/people/imports/{import_id}?show=infirm" + (
            f"&page={page}" if page.isdigit() else ""
        )
        try:
            line = None if data.get("all") else _line(data.get("line", ""))
            await imports.confirm_infirm(import_id, line, data.get("confirmed", "1") == "1")
        except Refused as exc:
            return refused_back(request, exc, back)
        return see_other(request, back)

    @get("/{import_id:uuid}/problems.xlsx", opt=DOWNLOAD)
    async def problem_rows(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        imports: NamedDependency[ImportService],
        import_id: FromPath[UUID],
    ) -> Any:
        """The rows with problems or warnings, to fix and upload again; never cached (a
        shared office PC), and audited like the roster's download."""
        found = await imports.get(import_id)
        try:
            content = await imports.problem_rows_workbook(import_id, identity.actor)
        except Refused as exc:
            return refused_back(request, exc, f"/people/imports/{import_id}")
        return attachment(content, problems_filename(found.filename), fallback="problems.xlsx")

    @post("/{import_id:uuid}/forget")
    async def forget(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        imports: NamedDependency[ImportService],
        import_id: FromPath[UUID],
    ) -> Any:
        back = f"/people/imports/{import_id}"
        try:
            await imports.forget_problem_rows(import_id, identity.actor)
        except Refused as exc:
            return refused_back(request, exc, back)
        flash(request, "info", _("The rows with problems were deleted from this import."))
        return see_other(request, back)

    @post("/{import_id:uuid}/discard")
    async def discard(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        imports: NamedDependency[ImportService],
        import_id: FromPath[UUID],
    ) -> Any:
        try:
            await imports.discard(import_id, identity.actor)
        except Refused as exc:
            return refused_back(request, exc, f"/people/imports/{import_id}")
        flash(request, "info", _("The import was discarded; nothing was written."))
        return see_other(request, "/people/imports")


async def _recent(imports: ImportService) -> dict[str, Any]:
    return {"recent": await imports.recent(), "categories": CATEGORY_LABELS}


def _column_labeller(columns: dict[str, str]) -> Callable[..., str]:
    """column_label for this import's page: each row's columns named as its file did."""
    return lambda name, written="": column_label(name, columns, written)


def _line(text: str) -> int:
    """A row number the page sent back; a mangled one is refused, never guessed."""
    if not text.isdigit() or len(text) > 7:
        raise Refused(N_("Please choose from the list."))
    return int(text)


ROUTES: list[ControllerRouterHandler] = [ImportController]
