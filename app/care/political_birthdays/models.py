"""A member's political birthday of one year and the gifts delivered for it."""

from __future__ import annotations

import enum
from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import Date, DateTime, ForeignKeyConstraint, SmallInteger, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantMixin
from app.i18n import N_


class Gift(enum.StrEnum):
    CARD = "card"
    BADGE = "badge"
    BOOK = "book"
    PLATE = "plate"
    MESSAGE = "message"


GIFT_LABELS = {
    Gift.CARD: N_("Greeting card"),
    Gift.BADGE: N_("Party badge"),
    Gift.BOOK: N_("Red book"),
    Gift.PLATE: N_("Honour plate"),
    Gift.MESSAGE: N_("WeChat or text greeting"),
}
"""In the order the page lists them (贺卡, 党徽, 红色书籍, 光荣牌, 祝福微信/短信)."""

POSTABLE = (Gift.CARD, Gift.BADGE, Gift.BOOK, Gift.PLATE)
"""What can go in a parcel: a greeting by WeChat or text is sent, never posted."""


class Way(enum.StrEnum):
    HAND = "hand"
    POST = "post"


WAY_LABELS = {Way.HAND: N_("Delivered"), Way.POST: N_("Posted")}


class PoliticalBirthday(TenantMixin, Base):
    """One per member per year (unique key `political_birthdays_one_a_year`): opened by
    the first gift ticked, with the day and the years in the Party as they were then."""

    __tablename__ = "political_birthdays"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "person_id"], ["people.tenant_id", "people.id"]),
        ForeignKeyConstraint(["tenant_id", "opened_by"], ["users.tenant_id", "users.id"]),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    person_id: Mapped[UUID] = mapped_column()
    year: Mapped[int] = mapped_column(SmallInteger)
    anniversary_on: Mapped[date] = mapped_column(Date)
    party_years: Mapped[int] = mapped_column(SmallInteger)
    opened_by: Mapped[UUID] = mapped_column()
    opened_by_name: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BirthdayGift(TenantMixin, Base):
    """A gift delivered (by hand, or posted with a tracking number); its key refuses
    the same gift twice for one year's record."""

    __tablename__ = "political_birthday_gifts"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "birthday_id"],
            ["political_birthdays.tenant_id", "political_birthdays.id"],
        ),
        ForeignKeyConstraint(["tenant_id", "delivered_by"], ["users.tenant_id", "users.id"]),
    )

    birthday_id: Mapped[UUID] = mapped_column(primary_key=True)
    gift: Mapped[str] = mapped_column(String(8), primary_key=True)
    way: Mapped[str] = mapped_column(String(4))
    delivered_on: Mapped[date] = mapped_column(Date)
    delivered_by: Mapped[UUID] = mapped_column()
    delivered_by_name: Mapped[str] = mapped_column(Text)
    tracking_number: Mapped[str | None] = mapped_column(String(30))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
