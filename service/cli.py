"""The `briefing` command: check, build, serve, preview, notify, import-text, demo-content, email,
send."""

from __future__ import annotations

import functools
import os
import sys
import time
from pathlib import Path

import click

from service import config
from service.errors import ContentErrors
from service.model import EmailEdition

CONTENT_ARGUMENT = click.argument(
    "content", type=click.Path(path_type=Path), default=config.CONTENT, envvar="BRIEFING_CONTENT"
)
STORE_OPTION = click.option(
    "--store",
    type=click.Path(path_type=Path, dir_okay=False),
    default=config.STORE,
    envvar="BRIEFING_STORE",
    show_default=True,
    help="The store file.",
)


SERVED = (
    ("/", "the archive, for people"),
    ("/subscribe", "every feed's address"),
    ("/feeds/issues.atom", "the issue feed (also .rss, .json)"),
    ("/api/v1/issues", "the JSON API"),
    ("/api/docs", "the API's documentation"),
    ("/readyz", "readiness and the store's content version"),
    ("/metrics", "Prometheus metrics"),
)


@click.group()
def main() -> None:
    """Publish the briefing: validate content, build the store, serve it, notify the hub."""


def report(errors: ContentErrors) -> None:
    for error in errors.errors:
        click.echo(str(error), err=True)
    click.echo(f"{len(errors.errors)} error(s); nothing was built.", err=True)


@main.command()
@CONTENT_ARGUMENT
def check(content: Path) -> None:
    """Validate CONTENT (default ./content) and report every error in it."""
    from service.content.loader import load_content

    try:
        loaded = load_content(content)
    except ContentErrors as errors:
        report(errors)
        sys.exit(1)
    articles = sum(len(issue.articles) for issue in loaded.issues)
    click.echo(f"{content}: {len(loaded.issues)} issue(s), {articles} article(s), no errors.")


@main.command()
@CONTENT_ARGUMENT
@STORE_OPTION
@click.option(
    "--allow-removals",
    is_flag=True,
    help="Build even if issues or articles the store published are missing or drafts now"
    " (neither withdrawn nor listed in `aliases`); each is named as it goes.",
)
def build(content: Path, store: Path, allow_removals: bool) -> None:
    """Validate CONTENT and, only if it is all good, replace the store with a new build.

    Whatever the store published must still answer: published, withdrawn, or moved.
    """
    from service.build import build as build_store

    started = time.monotonic()
    try:
        result = build_store(content, store, allow_removals=allow_removals)
    except ContentErrors as errors:
        report(errors)
        click.echo(f"{store} is unchanged.", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"{store}: cannot write the new store ({exc}); it is unchanged.", err=True)
        sys.exit(1)
    click.echo(
        f"built {result.store}: {result.issues} issue(s), {result.articles} article(s),"
        f" content version {result.content_version} ({time.monotonic() - started:.1f} s)"
    )
    if result.compared:
        click.echo(f"{store}: {result.compared}, so nothing published to compare with.")
    for removal in result.removed:
        click.echo(f"{removal}, as --allow-removals allows.")


@main.command()
@STORE_OPTION
@click.option("--bind", default=config.BIND, envvar="BRIEFING_BIND", show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=config.default_workers(),
    envvar="BRIEFING_WORKERS",
    show_default="2 per core + 1",
)
def serve(store: Path, bind: str, workers: int) -> None:
    """Serve the store under gunicorn; exit at once if it cannot be opened."""
    from service import create_app
    from service.errors import StoreError
    from service.serve import serve as run_server
    from service.store import open_store

    try:
        open_store(store).close()
    except StoreError as exc:
        click.echo(f"briefing serve: {exc}", err=True)
        sys.exit(1)
    root = f"http://{bind}"
    click.echo(f"briefing: serving {store} at {root}/")
    for path, what in SERVED:
        click.echo(f"  {root}{path:<20} {what}")
    run_server(functools.partial(create_app, {"STORE": str(store)}), bind, workers)


@main.command()
@CONTENT_ARGUMENT
@click.option("--bind", default=config.BIND, show_default=True, help="Where to serve it.")
def preview(content: Path, bind: str) -> None:
    """Serve CONTENT as it would be published, drafts included and marked, from a private store
    rebuilt on every save; while CONTENT has errors, every page lists them above the last good
    build. Ctrl-C stops, and removes the private store."""
    from service.preview.command import preview as run_preview

    sys.exit(run_preview(content, bind, click.echo))


@main.command()
@STORE_OPTION
def notify(store: Path) -> None:
    """Tell the WebSub hub of every topic (feed or API list) whose bytes changed since the last
    notification; run it once every replica serves the store."""
    from service.errors import HubFailed, NotificationRecordError, StoreError
    from service.notify import notify as notify_hub

    try:
        click.echo(notify_hub(store))
    except (StoreError, NotificationRecordError, HubFailed) as exc:
        click.echo(f"briefing notify: {exc}", err=True)
        sys.exit(1)


@main.command("import-text")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=config.CONTENT,
    show_default=True,
    help="The content root to write issues/<issue-id>/ into.",
)
def import_text(files: tuple[Path, ...], out: Path) -> None:
    """Convert emailed plain-text briefings into issue folders under OUT."""
    from service.content.loader import PUBLICATION_FILE
    from service.content.textimport import import_briefing
    from service.content.writer import write_issue
    from service.errors import IssueExists

    failed = wrote = False
    for path in files:
        try:
            imported = import_briefing(path)
            folder = write_issue(out, imported.issue)
        except ContentErrors as errors:
            failed = True
            for error in errors.errors:
                click.echo(str(error), err=True)
            continue
        except IssueExists as exc:
            failed = True
            click.echo(f"{path}:1: issue: {exc}", err=True)
            continue
        for warning in imported.warnings:
            click.echo(str(warning), err=True)
        click.echo(f"{path}: wrote {folder}")
        wrote = True
    if wrote and not (out / PUBLICATION_FILE).is_file():
        click.echo(
            f"{out} has no {PUBLICATION_FILE} yet: add one before `briefing build`.", err=True
        )
    sys.exit(1 if failed else 0)


@main.command("demo-content")
@click.option("--issues", type=click.IntRange(min=1), required=True, help="How many issues.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--seed", type=int, default=2011, show_default=True, help="Same seed, same content.")
def demo_content(issues: int, out: Path, seed: int) -> None:
    """Write a complete synthetic content tree (marked synthetic) for load tests."""
    from service.content.demo import write_demo_content
    from service.errors import DemoContentExists

    try:
        write_demo_content(out, issues, seed)
    except DemoContentExists as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {issues} synthetic issue(s) to {out}")


def email_edition_of(command: str, store: Path, issue_id: str) -> tuple[bytes, EmailEdition]:
    """The issue's message and how it is addressed; else one line saying why, and exit 1."""
    from service.email.message import edition_of, email_edition
    from service.errors import BriefingError, StoreError
    from service.store import open_store

    try:
        opened = open_store(store)
    except StoreError as exc:
        click.echo(f"briefing {command}: {exc}", err=True)
        sys.exit(1)
    try:
        return email_edition(opened, issue_id), edition_of(opened.publication)
    except BriefingError as exc:
        click.echo(f"briefing {command}: {store}: {exc}", err=True)
        sys.exit(1)
    finally:
        opened.close()


def valid_address(context: click.Context, parameter: click.Parameter, value: str) -> str:
    from marshmallow import ValidationError, validate

    email_address: validate.Validator = validate.Email()
    try:
        email_address(value)
    except ValidationError as exc:
        raise click.BadParameter(f"{value!r} is not an email address.") from exc
    return value


@main.command("email")
@click.argument("issue_id")
@STORE_OPTION
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write the message to; standard output if not given.",
)
def email_issue(issue_id: str, store: Path, out: Path | None) -> None:
    """Write ISSUE_ID's email edition: one RFC 5322 message, the same bytes from the same store."""
    message, _ = email_edition_of("email", store, issue_id)
    if out is None:
        sys.stdout.buffer.write(message)
        return
    try:
        out.write_bytes(message)
    except OSError as exc:
        click.echo(f"briefing email: {out}: cannot write the message ({exc.strerror})", err=True)
        sys.exit(1)


@main.command("send")
@click.argument("issue_id")
@click.option(
    "--to",
    "address",
    required=True,
    callback=valid_address,
    help="Where to send it: the list's posting address.",
)
@STORE_OPTION
@click.option(
    "--smtp",
    default="localhost:25",
    envvar="BRIEFING_SMTP",
    show_default=True,
    help="The SMTP server, HOST:PORT; STARTTLS and login from BRIEFING_SMTP_*.",
)
@click.option(
    "--send-again",
    is_flag=True,
    help="Send it even though the record beside the store says it went to ADDRESS already.",
)
def send_issue(issue_id: str, address: str, store: Path, smtp: str, send_again: bool) -> None:
    """Hand ISSUE_ID's email edition to an SMTP server for ADDRESS, once unless told again."""
    from service.email import send
    from service.errors import BriefingError, SentUnrecorded

    message, edition = email_edition_of("send", store, issue_id)
    record = send.record_path(store)
    try:
        server = send.smtp_server(smtp, os.environ)
        send.send_issue(
            message, issue_id, edition.sender.address, address, server, store, send_again
        )
    except SentUnrecorded as exc:
        click.echo(f"briefing send: {exc}.", err=True)
        sys.exit(1)
    except BriefingError as exc:
        click.echo(f"briefing send: {exc}; nothing was sent.", err=True)
        sys.exit(1)
    except OSError as exc:
        reason = exc.strerror or exc
        click.echo(
            f"briefing send: {record}: cannot keep the record ({reason}); nothing was sent.",
            err=True,
        )
        sys.exit(1)
    click.echo(f"sent issue {issue_id} to {address} through {server}; recorded in {record}")
