"""The kinds of notice, what each is called on the preferences page and which outside
channels it uses until the person chooses otherwise. The inbox gets every notice."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from app.i18n import N_


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"
    WECHAT = "wechat"


CHANNEL_LABELS = {
    Channel.EMAIL: N_("Email"),
    Channel.SMS: N_("Text message"),
    Channel.WECHAT: N_("WeChat"),
}
QUIET_CHANNELS = frozenset({Channel.SMS, Channel.WECHAT})
"""Not sent in the person's quiet hours (China time): they wait for the morning."""


class Kind(enum.StrEnum):
    DIGEST = "digest"
    SLA_BREACH = "sla_breach"
    REQUEST_REOPENED = "request_reopened"
    CLAIM_DECIDED = "claim_decided"
    OBJECTION_ANSWERED = "objection_answered"
    PUBLICATION = "publication"
    SIGNUP = "signup"
    ROSTER_IMPORT = "roster_import"
    REPORT_READY = "report_ready"
    WEEKLY_SUMMARY = "weekly_summary"
    VISIT_FOLLOW_UP = "visit_follow_up"
    MEETING_PLANNED = "meeting_planned"


@dataclass(frozen=True)
class KindInfo:
    label: str
    defaults: frozenset[Channel]


KINDS: dict[Kind, KindInfo] = {
    Kind.DIGEST: KindInfo(N_("Morning list of visits due"), frozenset({Channel.WECHAT})),
    Kind.SLA_BREACH: KindInfo(
        N_("A request past its time limit"), frozenset({Channel.SMS, Channel.WECHAT})
    ),
    Kind.REQUEST_REOPENED: KindInfo(
        N_("A request reopened after a poor rating"), frozenset({Channel.SMS, Channel.WECHAT})
    ),
    Kind.CLAIM_DECIDED: KindInfo(N_("My points claim decided"), frozenset({Channel.WECHAT})),
    Kind.OBJECTION_ANSWERED: KindInfo(N_("My objection answered"), frozenset({Channel.WECHAT})),
    Kind.PUBLICATION: KindInfo(N_("Points published for the branch"), frozenset({Channel.WECHAT})),
    Kind.SIGNUP: KindInfo(N_("District signups"), frozenset({Channel.SMS})),
    Kind.ROSTER_IMPORT: KindInfo(N_("Roster import checked or done"), frozenset()),
    Kind.REPORT_READY: KindInfo(N_("A report is ready"), frozenset()),
    Kind.WEEKLY_SUMMARY: KindInfo(N_("Weekly summary"), frozenset({Channel.EMAIL})),
    Kind.VISIT_FOLLOW_UP: KindInfo(
        N_("A visit that needs a follow-up"), frozenset({Channel.WECHAT})
    ),
    Kind.MEETING_PLANNED: KindInfo(
        N_("A meeting of my branch planned"), frozenset({Channel.WECHAT})
    ),
}
