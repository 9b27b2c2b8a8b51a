"""The signup form: the bureau, its scheme, and its first administrator.

Read by the service (app.signup.service.TenancyService.sign_up), which adds what
only the database knows before the reader's `done()`, so one answer names every
field that is wrong."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from app.core.forms import FieldError, FormReader
from app.core.validators import (
    mainland_mobile,
    new_password,
    person_name,
    plain_text,
    region_code,
    slug,
)
from app.i18n import N_
from app.presets import all_presets


@dataclass(frozen=True)
class SignupForm:
    name: str
    slug: str
    province_code: str
    region_code: str
    preset: str
    admin_name: str
    admin_phone: str
    password: str


def bureau_name(raw: str) -> str:
    text = plain_text(raw)
    if not 2 <= len(text) <= 60:
        raise FieldError(N_("Please enter the bureau's full name (2–60 characters)."))
    return text


def read_signup(reader: FormReader, province_codes: Collection[str]) -> SignupForm:
    """Every field checked, each error kept in `reader` (its field is "" here), so the
    service can add what only the database knows — a short name or region code taken —
    and the form shows every problem at once when `reader.done()` is called."""

    def known(value: str) -> str:
        if value not in province_codes:
            raise FieldError(N_("Please choose a province."))
        return value

    def scheme(value: str) -> str:
        if value not in all_presets():
            raise FieldError(N_("Please choose a starting scheme."))
        return value

    province = reader.field("province_code", known)
    values = {
        "name": reader.field("name", bureau_name),
        "slug": reader.field("slug", slug),
        "province_code": province,
        "region_code": reader.field("region_code", lambda raw: region_code(raw, province or "")),
        "preset": reader.field("preset", scheme),
        "admin_name": reader.field("admin_name", person_name),
        "admin_phone": reader.field("admin_phone", mainland_mobile),
        "password": reader.field(
            "password", lambda raw: new_password(raw, reader.raw("password_confirm"))
        ),
    }
    return SignupForm(**{key: value or "" for key, value in values.items()})
