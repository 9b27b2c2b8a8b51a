"""Rendering helpers: one URL serves a page or, for HTMX, just its fragment."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import MediaType, Request, Response
from litestar.response import Redirect, Template

from app.core.errors import Refused
from app.web.flash import flash


async def form_data(request: Request) -> dict[str, str]:
    """The submitted form as plain strings (the first value of each field)."""
    form = await request.form()
    return {key: str(value) for key, value in form.items() if isinstance(value, str)}


def render(
    request: Request,
    page: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status_code: int = 200,
    whole_page: bool = False,
) -> Template:
    """Render `page`, or only `fragment` when an HTMX request targets it.

    A fragment template `x/_form.html` carries the element id `form`; pages include
    their fragments, so the markup has one source. `whole_page` answers an HTMX form
    with a new page instead (a result the form cannot redirect to, such as a one-time
    link): the body is replaced, not the form.
    """
    name = page
    if fragment and request.headers.get("hx-target") == fragment.rsplit("/_", 1)[-1].removesuffix(
        ".html"
    ):
        name = fragment
    headers = {}
    if whole_page and request.headers.get("hx-request"):
        headers = {"HX-Retarget": "body", "HX-Reswap": "innerHTML"}
    return Template(
        template_name=name,
        context=context,
        status_code=status_code,
        media_type=MediaType.HTML,
        headers=headers,
    )


def sent_back(
    request: Request,
    page: str,
    context: dict[str, Any],
    refused: Refused,
    *,
    fragment: str | None = None,
    status_code: int = 422,
) -> Template:
    """The one way a refusal becomes a message on a form: the page again (or only its
    form fragment, for htmx) with what was typed (`form` in the context), the message
    above the form (`error`) and each field's message beside it (`errors`, from
    app.core.forms.InvalidForm)."""
    context = {**context, "error": refused.text(), "errors": refused.errors}
    return render(request, page, context, fragment=fragment, status_code=status_code)


def form_page(
    request: Request, page: str, context: dict[str, Any], refused: Refused | None = None
) -> Template:
    """A page that holds a form: as it is (no message), or sent back after `refused`
    (`sent_back`)."""
    if refused is not None:
        return sent_back(request, page, context, refused)
    return render(request, page, {**context, "error": None, "errors": {}})


def refused_back(request: Request, refused: Refused, url: str) -> Response[Any]:
    """A refused button (no form to show again): back to `url` with the message on top."""
    flash(request, "error", refused.text())
    return see_other(request, url)


def see_other(request: Request, url: str, *, full_reload: bool = False) -> Response[Any]:
    """303 after a POST. htmx follows it and swaps what comes back where the form said:
    a boosted form's body, or a region of the page that renders it as a fragment.

    A form that swaps only itself (`hx-target="this"`: htmx names it as both trigger and
    target) would get the next page inside the form, header and all: it is answered
    with `HX-Location`, which loads the page into the body and pushes its address.
    `full_reload` makes the browser load the page afresh (after a login)."""
    if request.headers.get("hx-request"):
        if full_reload:
            return client_redirect(url)
        target = request.headers.get("hx-target")
        if target and target == request.headers.get("hx-trigger"):
            return Response(b"", status_code=200, headers={"HX-Location": url})
    return Redirect(url, status_code=303)


def client_redirect(url: str) -> Response[bytes]:
    """Tell htmx to let the browser itself load `url` (a full page load, or a file
    that the browser then saves)."""
    return Response(b"", status_code=200, headers={"HX-Redirect": url})


def safe_next(url: str | None, default: str = "/dashboard") -> str:
    """Only local paths, so a crafted `next` cannot send users to another site."""
    if not url:
        return default
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//"):
        return default
    if "\\" in url:
        return default
    return url
