"""Real worker processes against real Valkey and a real webhook: two workers at once
deliver each notice once; a worker killed mid-batch loses nothing and a new one
finishes the batch at once, not after arq's job timeout."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select

from app.db.tenant import tenant_scope
from app.notifications.kinds import Kind
from app.notifications.models import Delivery, DeliveryState
from app.notifications.outbox import Notice, dispatch_queued, notify
from app.state import AppServices
from tests.factories import District, World
from tests.receivers import Webhook, webhook_server
from tests.service.test_notification_delivery import SECRET, add_gateway, choose

BATCH = 40


@contextmanager
def worker_process(**env: str) -> Iterator[subprocess.Popen[bytes]]:
    """`redstar worker` as a child process on the test servers (the environment the
    servers fixture exported), the sweep's grace shortened for the test."""
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        env={**os.environ, "NOTIFY_SWEEP_GRACE_SECONDS": "0", **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


async def tell_everyone(services: AppServices, district: District, url: str) -> list[str]:
    """BATCH notices to the member over WeChat, queued twice over (as a lost-and-found
    sweep and the request's own enqueue would): each must still arrive once."""
    member = district.users["member"].id
    await add_gateway(services, district, "wechat", url)
    await choose(services, district, member, ["wechat"], quiet_start=_t(3), quiet_end=_t(3, 1))
    with tenant_scope(district.tenant_id):
        for n in range(BATCH):
            async with services.db.unit() as session:
                await notify(
                    session,
                    [member],
                    Notice(Kind.CLAIM_DECIDED, f"claim:{n}", "积分申报已通过", f"第{n}条"),
                )
                queued = list(session.info.get("notifications.queued", []))
            await dispatch_queued(session, services.redis)
            session.info["notifications.queued"] = queued
            for item in queued:  # a second job for the same delivery, under another id
                await services.redis.enqueue_job(
                    "deliver_notification", str(district.tenant_id), str(item.delivery_id),
                    _job_id=f"again:{item.delivery_id}",
                )  # fmt: skip
    return []


def _t(hour: int, minute: int = 0):  # type: ignore[no-untyped-def]
    from datetime import time as time_of_day

    return time_of_day(hour, minute)


async def sent(services: AppServices, district: District) -> int:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return (
                await session.scalar(
                    select(func.count()).where(Delivery.state == DeliveryState.SENT)
                )
                or 0
            )


async def wait_for(services: AppServices, district: District, count: int, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if await sent(services, district) >= count:
            return time.monotonic() - started
        await asyncio.sleep(0.2)
    raise AssertionError(f"only {await sent(services, district)} of {count} sent in {seconds} s")


async def test_two_workers_deliver_each_notice_once(services: AppServices, world: World):
    hook = Webhook(SECRET, delay=0.05)
    with webhook_server(hook) as url:
        await tell_everyone(services, world.a, url)
        with worker_process(), worker_process():
            await wait_for(services, world.a, BATCH, 60)
            await asyncio.sleep(1)  # the duplicate jobs have had their chance
    assert len(hook.accepted) == BATCH
    assert set(hook.accepted.values()) == {1}  # no key twice
    assert len(hook.requests) == BATCH  # and not even a resend


async def test_a_worker_killed_mid_batch_loses_nothing(services: AppServices, world: World):
    hook = Webhook(SECRET, delay=0.3)
    with webhook_server(hook) as url:
        await tell_everyone(services, world.a, url)
        with worker_process() as first:
            await wait_for(services, world.a, 3, 60)
            first.send_signal(signal.SIGKILL)
            first.wait()
        done_before = await sent(services, world.a)
        assert done_before < BATCH
        started = time.monotonic()
        with worker_process():  # its start-up sweep queues what the first one left
            await wait_for(services, world.a, BATCH, 90)
        took = time.monotonic() - started
    assert took < 60  # not arq's 600 s job timeout
    # Each notice was accepted once; a send cut short by the kill may have reached the
    # gateway, and its resend carried the same idempotency key.
    assert len(hook.accepted) == BATCH
    resent = [key for key, times in hook.accepted.items() if times > 1]
    assert len(resent) <= 10  # at most the jobs in flight when the worker died
