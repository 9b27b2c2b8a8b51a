"""The `redstar` command: dev, web, worker, migrate, seed-demo, create-operator, stop."""

from __future__ import annotations

import asyncio
import os
import sys

import click

from app.core.crypto import generate_key
from app.people.keys import Rotation
from app.settings import Settings, development_secret, get_settings
from app.supervisor import Child, Supervisor


def prepare_environment() -> Settings:
    """Settings with servers to talk to: the configured ones, or the embedded pair.

    The URLs are put into the environment so that child processes inherit them.
    """
    settings = get_settings()
    configured = [bool(settings.db.url), bool(settings.redis.url)]
    if any(configured) and not all(configured):
        raise click.ClickException(
            "Set both DATABASE_URL and REDIS_URL (production), or neither (embedded servers)."
        )
    if settings.embedded:
        from app.embedded import EmbeddedStack

        data_dir = settings.app.data_dir
        os.environ.update(EmbeddedStack(data_dir).up())
        os.environ.setdefault("SECRET_KEY", development_secret(data_dir))
        os.environ.setdefault(
            "ID_NUMBER_KEYS",
            development_secret(data_dir, "id_number_keys", f"dev:{generate_key()}"),
        )
        os.environ.setdefault(
            "ID_NUMBER_INDEX_KEY",
            development_secret(data_dir, "id_number_index_key", generate_key()),
        )
        get_settings.cache_clear()
        settings = get_settings()
    if not settings.app.secret_key:
        raise click.ClickException("SECRET_KEY is not set.")
    return settings


def owner_url(settings: Settings) -> str:
    url = settings.db.owner_url
    if not url:
        raise click.ClickException("DATABASE_OWNER_URL (the migrating owner role) is not set.")
    return url


@click.group()
def main() -> None:
    """Redstar (红星) — run the platform and manage it."""


@main.command()
def migrate() -> None:
    """Apply database migrations as the owner role."""
    from app.db.migrate import upgrade_to_head

    upgrade_to_head(owner_url(prepare_environment()))
    click.echo("Migrations applied.")


@main.command("seed-demo")
def seed_demo_command() -> None:
    """Create the demo province, districts and logins (idempotent)."""
    settings = prepare_environment()
    created = asyncio.run(_seed(settings))
    click.echo("Demo data created." if created else "Demo data already present.")
    _print_logins()


async def _seed(settings: Settings) -> bool:
    from app.db import Database
    from app.demo.seed import seed_demo
    from app.state import open_services

    owner = Database(owner_url(settings), pool_size=1)
    try:
        async with open_services(settings) as services:
            return await seed_demo(services, owner)
    finally:
        await owner.dispose()


def _print_logins() -> None:
    from app.core.roles import ROLE_LABELS
    from app.demo.seed import DEMO_PASSWORD, demo_logins
    from app.i18n import _

    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
    for login in demo_logins():
        click.echo(
            f"  {login.phone}  {login.where:<6} {_(ROLE_LABELS[login.role]):<10} {login.name}"
        )
    click.echo("")


@main.command("rotate-id-keys")
def rotate_id_keys_command() -> None:
    """Re-encrypt every ID number under the first key of ID_NUMBER_KEYS.

    Put the new key first (keep the old ones after it), restart the app, run this;
    when it is done the old keys can be removed. Safe to run again."""
    from app.core.crypto import UnknownKey

    settings = prepare_environment()
    try:
        report = asyncio.run(_rotate(settings))
    except UnknownKey as exc:
        raise click.ClickException(
            f"Some ID numbers are under key {exc.key_id!r}, which ID_NUMBER_KEYS no longer "
            "lists. Put it back (after the current key) and run this again."
        ) from exc
    click.echo(
        f"Re-encrypted {report.rotated} values in {report.tenants} districts "
        f"under key {report.current_key!r}."
    )
    if report.left:
        raise click.ClickException(
            f"{report.left} values were busy and are still under an old key: run this again."
        )
    click.echo("Nothing is left under an old key: keys after the first may now be removed.")


async def _rotate(settings: Settings) -> Rotation:
    from app.people.keys import rotate_id_keys
    from app.state import open_services

    async with open_services(settings) as services:
        return await rotate_id_keys(services.db, services.cipher)


@main.command("create-operator")
@click.option("--phone", required=True, help="Mainland mobile number used to log in.")
@click.option("--name", required=True)
@click.option("--province", default="", help="Province code (e.g. 37) for a provincial viewer.")
@click.password_option()
def create_operator(phone: str, name: str, province: str, password: str) -> None:
    """Create a platform operator, or with --province a provincial viewer."""
    from app.core.forms import FieldError
    from app.core.validators import mainland_mobile, new_password

    try:
        phone = mainland_mobile(phone)
        new_password(password, password)
    except FieldError as exc:
        raise click.ClickException(exc.message) from exc
    settings = prepare_environment()
    asyncio.run(_create_platform_user(owner_url(settings), phone, name, province, password))
    click.echo(f"Created {'provincial viewer' if province else 'operator'} {phone}.")


async def _create_platform_user(url: str, phone: str, name: str, province: str, pw: str) -> None:
    from sqlalchemy.exc import IntegrityError

    from app.accounts.hashing import hash_password
    from app.accounts.models import PlatformUser
    from app.core.roles import Role
    from app.db import Database

    db = Database(url, pool_size=1)
    password_hash = await hash_password(pw)
    try:
        async with db.unit() as session:
            session.add(
                PlatformUser(
                    phone=phone, name=name, password_hash=password_hash,
                    role=Role.PROVINCIAL_VIEWER if province else Role.OPERATOR,
                    province_code=province or None,
                )
            )  # fmt: skip
    except IntegrityError as exc:
        raise click.ClickException("That phone number or province is not usable.") from exc
    finally:
        await db.dispose()


@main.command()
def web() -> None:
    """Serve the web app (uvicorn; WEB_WORKERS processes)."""
    import uvicorn

    settings = prepare_environment()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.app.host,
        port=settings.app.port,
        workers=settings.app.web_workers,
        proxy_headers=True,
        log_config=None,
        access_log=False,
    )


@main.command()
def worker() -> None:
    """Run the arq worker: background jobs and cron; it waits out a Valkey outage."""
    prepare_environment()
    from workers.runner import run
    from workers.settings import WorkerSettings

    run(WorkerSettings)


@main.command()
def stop() -> None:
    """Stop the embedded PostgreSQL and Valkey of the data directory."""
    from app.embedded import EmbeddedStack

    settings = get_settings()
    if settings.embedded:
        stack = EmbeddedStack(settings.app.data_dir)
        port_file = stack.valkey.directory / "port"
        if port_file.exists():
            stack.valkey.port = int(port_file.read_text())
        stack.down()
        click.echo("Embedded servers stopped.")


@main.command()
def dev() -> None:
    """Everything on one machine: servers, migrations, demo data, web and worker."""
    settings = get_settings()
    started_embedded = settings.embedded
    settings = prepare_environment()
    from app.db.migrate import upgrade_to_head

    upgrade_to_head(owner_url(settings))
    asyncio.run(_seed(settings))
    _print_logins()
    click.echo(f"Redstar is at http://{settings.app.host}:{settings.app.port}  (Ctrl-C stops)\n")

    # A child that dies (the worker killed, or the web app crashing) is restarted with
    # backoff; PostgreSQL, Valkey and the other child keep running.
    supervisor = Supervisor(
        [Child(name, [sys.executable, "-m", "app.cli", name]) for name in ("web", "worker")]
    )
    try:
        supervisor.run()  # until Ctrl-C or SIGTERM; it stops its children once
    finally:
        if started_embedded:
            from app.embedded import EmbeddedStack

            stack = EmbeddedStack(settings.app.data_dir)
            stack.valkey.port = int((stack.valkey.directory / "port").read_text())
            stack.down()
        click.echo("Stopped.")


if __name__ == "__main__":
    main()
