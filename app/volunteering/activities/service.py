"""Recording a team's activity, correcting its participants' hours, cancelling it.

Hours feed points through the automatic source (app.points.automatic): each
participant who can be scored gets an event referenced
`volunteer:{activity}:{person}:{revision}`, its id kept on their row. A correction
withdraws the events of the participants it changes or takes out and scores the
changed and new ones again under the activity's next revision; cancelling withdraws
them all. Non-party volunteers, the exempt and those whose caps are full keep their
hours without points, and the leader is told who and why.

Who may record: the admin, or a leader of the team or of a team above it
(app.volunteering.teams.service.manages). Participants are the members, now, of the
team or of a team under it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from sqlalchemy import and_, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.forms import InvalidForm
from app.core.identity import Identity
from app.core.photos import JPEG
from app.db.form_ids import FormUsed, hold_form_id
from app.db.tenant import require_tenant
from app.i18n import N_, _
from app.people.models import Person
from app.points.automatic import Feeding, score, withdraw
from app.points.feeds import Feed
from app.volunteering.activities.forms import ActivityForm
from app.volunteering.models import (
    Activity,
    ActivityPhoto,
    Participation,
    Team,
    TeamMember,
)
from app.volunteering.teams.service import TeamService, manages

FORM_USED = N_("This form was already used for another activity. Please check and save again.")
NOT_MEMBERS = N_("Please choose the participants from the team's list.")
CANCELLED = N_("This activity was cancelled and can no longer be changed.")


@dataclass(frozen=True)
class Candidate:
    person_id: UUID
    name: str
    team_name: str


@dataclass
class Recorded:
    activity: Activity
    not_scored: list[tuple[str, str]] = field(default_factory=list)
    """(name, why) of each participant left without points."""
    repeated: bool = False


@dataclass(frozen=True)
class ParticipantRow:
    person_id: UUID
    name: str
    hours: Decimal
    scored: bool


class ActivityService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.teams = TeamService(session)

    async def candidates(self, identity: Identity, team_id: UUID) -> list[Candidate]:
        """The members now of the team and the teams under it, leaders first."""
        team = await self.teams.managed(identity, team_id)
        rows = await self.session.execute(
            select(TeamMember.person_id, Person.name, Team.name)
            .join(Team, and_(Team.tenant_id == TeamMember.tenant_id, Team.id == TeamMember.team_id))
            .join(Person, and_(Person.tenant_id == TeamMember.tenant_id,
                               Person.id == TeamMember.person_id))
            .where(Team.path.contains([team.id]), Team.retired_at.is_(None),
                   TeamMember.left_on.is_(None), Person.deceased_on.is_(None))
            .order_by(Team.id != team.id, TeamMember.role, Person.sort_key)
        )  # fmt: skip
        seen: dict[UUID, Candidate] = {}
        for person_id, name, team_name in rows:
            seen.setdefault(person_id, Candidate(person_id, name, team_name))
        return list(seen.values())

    async def _team_for(self, identity: Identity, team_id: UUID) -> Team:
        """The form's team, refused as a field when it is not one this user manages
        (another district's, a forged id) or is retired."""
        try:
            team = await self.teams.managed(identity, team_id)
        except NotFound:
            raise InvalidForm({"team_id": N_("Please choose the team from the list.")}) from None
        if team.retired_at is not None:
            raise InvalidForm({"team_id": N_("This team is retired and can no longer be changed.")})
        return team

    async def _people(self, identity: Identity, team: Team, wanted: set[UUID]) -> list[Person]:
        """The participants, each a member now of the team or one under it."""
        eligible = {c.person_id for c in await self.candidates(identity, team.id)}
        if not wanted <= eligible:
            raise InvalidForm({"person": NOT_MEMBERS})
        return list(await self.session.scalars(select(Person).where(Person.id.in_(wanted))))

    async def record(self, identity: Identity, form: ActivityForm) -> Recorded:
        session = self.session
        self.teams.require_leader(identity)
        team = await self._team_for(identity, form.team_id)
        await hold_form_id(session, "volunteer_activities", form.id)
        saved = await session.get(Activity, {"tenant_id": require_tenant(), "id": form.id})
        if saved is not None:
            if (saved.team_id, saved.held_on, saved.recorded_by) != (
                team.id, form.held_on, identity.user_id,
            ):  # fmt: skip
                raise FormUsed(FORM_USED)
            return Recorded(saved, repeated=True)
        people = await self._people(identity, team, set(form.participants))
        activity = Activity(
            id=form.id, tenant_id=require_tenant(), team_id=team.id, kind=form.kind,
            target=form.target, held_on=form.held_on, place=form.place,
            description=form.description, beneficiaries=form.beneficiaries,
            good_deeds=form.good_deeds, recorded_by=identity.user_id,
            recorded_by_name=identity.name, recorded_at=clock.now(),
            hours=sum(form.participants.values(), Decimal(0)),
        )  # fmt: skip
        session.add(activity)
        await session.flush()
        session.add_all(
            ActivityPhoto(tenant_id=activity.tenant_id, activity_id=activity.id, content=photo,
                          content_type=JPEG, uploaded_by=identity.user_id)
            for photo in form.photos
        )  # fmt: skip
        rows = self._add(activity, people, form.participants)
        not_scored = await self._score(identity, activity, team, rows)
        await record(
            session, identity.actor, "volunteer.activity_recorded",
            subject_type="volunteer_activity", subject_id=activity.id, subject_name=team.name,
            changes={"held_on": activity.held_on.isoformat(), "place": activity.place,
                     "participants": len(people),
                     "hours": str(sum(form.participants.values(), Decimal(0)))},
        )  # fmt: skip
        return Recorded(activity, not_scored)

    def _add(
        self, activity: Activity, people: list[Person], hours: dict[UUID, Decimal]
    ) -> list[Participation]:
        rows = [
            Participation(
                tenant_id=activity.tenant_id,
                activity_id=activity.id,
                person_id=person.id,
                hours=hours[person.id],
                held_on=activity.held_on,
                team_id=activity.team_id,
                revision=activity.revision,
            )
            for person in people
        ]
        self.session.add_all(rows)
        return rows

    async def _score(
        self, identity: Identity, activity: Activity, team: Team, rows: list[Participation]
    ) -> list[tuple[str, str]]:
        """Score these participants' rows (written under the activity's revision) and
        keep each event's id; returns who was not scored and why."""
        await self.session.flush()
        people = {
            p.id: p
            for p in await self.session.scalars(
                select(Person).where(Person.id.in_([r.person_id for r in rows]))
            )
        }
        refs = {r.person_id: f"volunteer:{activity.id}:{r.person_id}:{r.revision}" for r in rows}
        feedings = [
            Feeding(people[r.person_id], activity.held_on, refs[r.person_id], r.hours,
                    note=f"{team.name}：{activity.place}")
            for r in rows
        ]  # fmt: skip
        scored = await score(self.session, Feed.VOLUNTEER_HOURS, feedings, identity.actor)
        not_scored = []
        for row in sorted(rows, key=lambda r: people[r.person_id].sort_key):
            event = scored.events.get(refs[row.person_id])
            row.event_id = event.id if event is not None else None
            if event is None:
                reason = scored.skipped.get(refs[row.person_id])
                not_scored.append((people[row.person_id].name, reason.text() if reason else ""))
        await self.session.flush()
        return not_scored

    async def activity(
        self, identity: Identity, activity_id: UUID, *, lock: bool = False
    ) -> Activity:
        """An activity of a team this user manages (NotFound otherwise)."""
        self.teams.require_leader(identity)
        query = (
            select(Activity)
            .join(Team, and_(Team.tenant_id == Activity.tenant_id, Team.id == Activity.team_id))
            .where(Activity.id == activity_id, manages(identity))
        )
        found = await self.session.scalar(query.with_for_update(of=Activity) if lock else query)
        if found is None:
            raise NotFound()
        return found

    async def participants(self, activity: Activity) -> list[ParticipantRow]:
        rows = await self.session.execute(
            select(Participation.person_id, Person.name, Participation.hours,
                   Participation.event_id.is_not(None))
            .join(Person, and_(Person.tenant_id == Participation.tenant_id,
                               Person.id == Participation.person_id))
            .where(Participation.activity_id == activity.id)
            .order_by(Person.sort_key)
        )  # fmt: skip
        return [ParticipantRow(*row) for row in rows]

    async def photo_ids(self, activity: Activity) -> list[UUID]:
        return list(
            await self.session.scalars(
                select(ActivityPhoto.id)
                .where(ActivityPhoto.activity_id == activity.id)
                .order_by(ActivityPhoto.uploaded_at)
            )
        )

    async def photo(self, identity: Identity, photo_id: UUID) -> bytes:
        found = await self.session.scalar(
            select(ActivityPhoto.content)
            .join(Activity, and_(Activity.tenant_id == ActivityPhoto.tenant_id,
                                 Activity.id == ActivityPhoto.activity_id))
            .join(Team, and_(Team.tenant_id == Activity.tenant_id, Team.id == Activity.team_id))
            .where(ActivityPhoto.id == photo_id, manages(identity))
        )  # fmt: skip
        if found is None or not identity.leads_volunteers:
            raise NotFound()
        return found

    async def correct(
        self, identity: Identity, activity_id: UUID, hours: dict[UUID, Decimal]
    ) -> Recorded:
        """Set the participants and their hours to `hours`: those taken out or changed
        have their points withdrawn; the changed and the new are scored again under the
        next revision. Refused whole in a published half-year (withdraw)."""
        session = self.session
        activity = await self.activity(identity, activity_id, lock=True)
        if activity.cancelled_at is not None:
            raise Refused(CANCELLED)
        team = await self._team_for(identity, activity.team_id)
        before = {
            row.person_id: row
            for row in await session.scalars(
                select(Participation).where(Participation.activity_id == activity.id)
            )
        }
        # Those still in the team may be kept or changed; anyone new must be a member now.
        new = set(hours) - set(before)
        people = await self._people(identity, team, new) if new else []
        changed = [p for p in before if p in hours and before[p].hours != hours[p]]
        gone = [p for p in before if p not in hours]
        if not (new or changed or gone):
            return Recorded(activity)
        redone = [before[p] for p in [*changed, *gone]]
        await withdraw(
            session, [r.event_id for r in redone if r.event_id],
            _("Volunteer hours corrected"), identity.actor,
        )  # fmt: skip
        activity.revision += 1
        activity.hours = sum(hours.values(), Decimal(0))
        for person_id in gone:
            await session.delete(before[person_id])
        for person_id in changed:
            row = before[person_id]
            row.hours, row.revision, row.event_id = hours[person_id], activity.revision, None
        rows = [before[p] for p in changed] + self._add(activity, people, hours)
        not_scored = await self._score(identity, activity, team, rows)
        names = dict(
            (await session.execute(
                select(Person.id, Person.name).where(Person.id.in_([*before, *new]))
            )).all()
        )  # fmt: skip
        await record(
            session, identity.actor, "volunteer.hours_corrected",
            subject_type="volunteer_activity", subject_id=activity.id, subject_name=team.name,
            changes={
                "changed": [f"{names[p]} {before[p].hours}→{hours[p]}" for p in changed],
                "added": [f"{names[p]} {hours[p]}" for p in new],
                "removed": [names[p] for p in gone],
            },
        )  # fmt: skip
        return Recorded(activity, not_scored)

    async def cancel(self, identity: Identity, activity_id: UUID, reason: str) -> Activity:
        """Cancel an activity recorded by mistake: its points are withdrawn and its hours
        no longer count (the rows go; the log keeps who had how many)."""
        session = self.session
        activity = await self.activity(identity, activity_id, lock=True)
        if activity.cancelled_at is not None:
            raise Refused(CANCELLED)
        if not reason.strip():
            raise InvalidForm({"reason": N_("Please give a reason.")})
        rows = await self.participants(activity)
        events = await session.scalars(
            select(Participation.event_id).where(
                Participation.activity_id == activity.id, Participation.event_id.is_not(None)
            )
        )
        await withdraw(session, [e for e in events if e], reason.strip(), identity.actor)
        await session.execute(delete(Participation).where(Participation.activity_id == activity.id))
        activity.cancelled_at, activity.cancelled_reason = clock.now(), reason.strip()[:200]
        team_name = await session.scalar(select(Team.name).where(Team.id == activity.team_id))
        await record(
            session, identity.actor, "volunteer.activity_cancelled",
            subject_type="volunteer_activity", subject_id=activity.id, subject_name=team_name,
            changes={"reason": activity.cancelled_reason,
                     "removed": [f"{r.name} {r.hours}" for r in rows]},
        )  # fmt: skip
        return activity

    async def recent(self, identity: Identity, limit: int = 20) -> list[tuple[Activity, str]]:
        """The latest activities of the teams this user manages, with the team's name."""
        self.teams.require_leader(identity)
        rows = await self.session.execute(
            select(Activity, Team.name)
            .join(Team, and_(Team.tenant_id == Activity.tenant_id, Team.id == Activity.team_id))
            .where(manages(identity), Activity.cancelled_at.is_(None))
            .order_by(Activity.held_on.desc(), Activity.recorded_at.desc())
            .limit(limit)
        )
        return [(activity, name) for activity, name in rows]
