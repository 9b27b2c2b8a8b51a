"""The invitation form: who is invited, and as what."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.core.forms import FieldError, FormReader
from app.core.roles import TENANT_ROLES
from app.core.validators import mainland_mobile, person_name
from app.i18n import N_


@dataclass(frozen=True)
class InvitationForm:
    name: str
    phone: str
    role: str


def tenant_role(raw: str) -> str:
    if raw not in TENANT_ROLES:
        raise FieldError(N_("Please choose a role."))
    return raw


def parse_invitation(data: Mapping[str, str]) -> InvitationForm:
    reader = FormReader(data)
    name = reader.field("name", person_name)
    phone = reader.field("phone", mainland_mobile)
    role = reader.field("role", tenant_role)
    reader.done()
    assert name is not None and phone is not None and role is not None
    return InvitationForm(name, phone, role)
