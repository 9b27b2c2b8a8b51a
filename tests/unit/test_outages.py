"""Which errors mean "a server is away" (a 503, a job tried later) and which are ours
to fix (a 500, a failed job) — and the jobs' retry on the first kind."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from arq import Retry
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError, WatchError
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi as dbapi
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, ProgrammingError

from app.core.outages import server_away
from workers.jobs import retried


def wrapped(asyncpg_error: Exception, kind: type[DBAPIError] = DBAPIError) -> DBAPIError:
    """The error as SQLAlchemy's asyncpg dialect raises it: the adapter's Error with the
    SQLSTATE, wrapped in a DBAPIError."""
    orig = dbapi.Error(str(asyncpg_error), asyncpg_error)
    return kind("select 1", {}, orig)


@pytest.mark.parametrize(
    "error",
    [
        wrapped(asyncpg.CannotConnectNowError("the database system is shutting down")),
        wrapped(asyncpg.AdminShutdownError("terminating connection due to administrator")),
        wrapped(asyncpg.ConnectionDoesNotExistError("connection was closed in the middle")),
        wrapped(asyncpg.TooManyConnectionsError("sorry, too many clients already")),
        wrapped(asyncpg.InterfaceError("connection is closed"), InterfaceError),
        ConnectionRefusedError(111, "Connect call failed"),
        TimeoutError(),
        RedisConnectionError("Error 111 connecting to 127.0.0.1:6379"),
    ],
    ids=lambda error: (
        type(error).__name__ + str(getattr(getattr(error, "orig", None), "sqlstate", ""))
    ),
)
def test_a_server_away(error: Exception) -> None:
    assert server_away(error)


@pytest.mark.parametrize(
    "error",
    [
        wrapped(asyncpg.UniqueViolationError("duplicate key"), IntegrityError),
        wrapped(asyncpg.UndefinedColumnError("column x does not exist"), ProgrammingError),
        wrapped(asyncpg.DivisionByZeroError("division by zero")),  # a plain DBAPIError too
        ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value"),
        ValueError("a bug"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_our_own_errors_are_not_outages(error: Exception) -> None:
    assert not server_away(error)


def test_an_error_raised_while_a_connection_was_lost_is_an_outage() -> None:
    """redis-py raises WatchError while handling the ConnectionError of a pipeline under
    WATCH (arq's enqueue does that), and the worker must wait, not die."""
    try:
        try:
            raise RedisConnectionError("Connection closed by server.")
        except RedisConnectionError:
            raise WatchError("A ConnectionError occurred on while watching one or more keys")  # noqa: B904
    except WatchError as error:
        assert server_away(error)
    assert not server_away(WatchError("Watched variable changed."))


def test_the_invalidated_connection_flag_is_enough() -> None:
    error = wrapped(asyncpg.InternalClientError("unexpected"))
    assert not server_away(error)
    error.connection_invalidated = True
    assert server_away(error)


async def test_a_job_is_retried_later_while_a_server_is_away() -> None:
    calls: list[int] = []

    async def refresh(ctx: dict[str, Any], tenant: str) -> str:
        calls.append(ctx["job_try"])
        if ctx["job_try"] < 4:
            raise wrapped(asyncpg.CannotConnectNowError("the database system is starting up"))
        return f"done {tenant}"

    job = retried(refresh)
    assert job.__qualname__ == refresh.__qualname__  # arq registers it by this name
    delays = []
    for attempt in (1, 2, 3):
        with pytest.raises(Retry) as retry:
            await job({"job_try": attempt}, "a")
        delays.append(retry.value.defer_score)
    assert delays == [1000, 2000, 4000]  # ms
    assert await job({"job_try": 4}, "a") == "done a"


async def test_a_job_with_a_bug_fails_as_before() -> None:
    async def broken(ctx: dict[str, Any]) -> None:
        raise wrapped(asyncpg.UniqueViolationError("duplicate key"), IntegrityError)

    with pytest.raises(IntegrityError):
        await retried(broken)({"job_try": 1})
