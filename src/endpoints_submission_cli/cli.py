"""The ``endpoints-submission-cli`` command tree and its single error boundary.

Commands live in ``commands/`` and stay thin; every failure travels as a ``CliError`` and is
turned into one plain stderr message plus exit code here (1 for failures; click uses 2 for
usage errors). Anything unexpected becomes a one-line "internal error" unless ``--debug``.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import traceback
from urllib.parse import urlsplit

import click

from . import DEFAULT_API_URL, __version__
from .context import (
    JSON_HELP,
    TOKEN_ENV,
    TOKEN_HELP,
    AppContext,
    json_option,
    pass_app,
    token_option,
)
from .errors import CliError

__all__ = ["AppContext", "json_option", "main", "pass_app", "token_option"]

_TOKEN_LIKE = re.compile(r"mlc_[A-Za-z0-9_-]+")


def _scrub(text: str) -> str:
    """Belt and braces: no message leaves the process with something token-shaped in it."""
    return _TOKEN_LIKE.sub("mlc_…", text)


class _Failure(click.ClickException):
    def __init__(self, error: CliError) -> None:
        super().__init__(_scrub(error.message))
        self.exit_code = error.exit_code
        self.hint = _scrub(error.hint) if error.hint else None

    def show(self, file: object = None) -> None:
        click.echo(f"error: {self.message}", err=True)
        if self.hint:
            click.echo(f"hint: {self.hint}", err=True)


# Command groups, imported only when used: `runs list` need not load the submission pipeline
# and the checker (about a third of a second of imports). One line per group.
_GROUPS = {
    "init": "endpoints_submission_cli.commands.init:init",
    "runs": "endpoints_submission_cli.commands.runs:runs",
    "submissions": "endpoints_submission_cli.commands.submissions:submissions",
}


class _Root(click.Group):
    """The root group: loads command groups on demand, and its ``invoke`` is the one place
    errors are turned into messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_GROUPS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in _GROUPS and name not in self.commands:
            module_name, attribute = _GROUPS[name].split(":")
            group = getattr(importlib.import_module(module_name), attribute)
            _accept_global_options(group)
            self.add_command(group, name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except CliError as error:
            if _debug(ctx):
                traceback.print_exc()
            raise _Failure(error) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            # The reader went away (`... | head`): nothing left to say to it, and Python must
            # not complain again when it flushes stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(1) from None
        except Exception as exc:
            if _debug(ctx):
                raise
            raise _Failure(
                CliError(
                    f"internal error: {type(exc).__name__}: {exc}",
                    hint="re-run with --debug for the traceback and report it",
                )
            ) from None


def _set_api_url(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(AppContext).api_url = _check_api_url(ctx, param, value)


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(AppContext).debug = True


def _set_token(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(AppContext).token = value


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(AppContext).as_json = True


def _global_options(position: str) -> list[click.Option]:
    """The global options as taken after the name of a ``position`` ("group" or "subcommand"):
    each overrides the same option given before it."""
    return [
        click.Option(
            ["--api-url"],
            expose_value=False,
            callback=_set_api_url,
            metavar="URL",
            help=f"PRISM API base URL (as before the {position}).",
        ),
        click.Option(
            ["--token"],
            expose_value=False,
            callback=_set_token,
            metavar="TOKEN",
            help=TOKEN_HELP,
        ),
        click.Option(
            ["--json"], is_flag=True, expose_value=False, callback=_set_json, help=JSON_HELP
        ),
        click.Option(
            ["--debug"],
            is_flag=True,
            expose_value=False,
            callback=_set_debug,
            help="Show tracebacks for failures.",
        ),
    ]


# A command's own --token/--json (see context) are its own options, so it takes only these.
_COMMAND_GLOBALS = ("--api-url", "--debug")


def _accept_global_options(command: click.Command) -> None:
    """Let every group and subcommand take the global options after its name too (issue 15
    item 15): ``--api-url``/``--debug`` on every command, all four on a group; the innermost
    one given wins (``--token``/``--json`` of a command are its own options, see context)."""
    is_group = isinstance(command, click.Group)
    extras = _global_options("group" if is_group else "subcommand")
    if not is_group:
        extras = [option for option in extras if option.opts[0] in _COMMAND_GLOBALS]
    names = {opt for param in command.params for opt in getattr(param, "opts", [])}
    command.params.extend(option for option in extras if option.opts[0] not in names)
    if is_group:
        for sub in command.commands.values():
            _accept_global_options(sub)


def _debug(ctx: click.Context) -> bool:
    app = ctx.find_object(AppContext)
    return bool(app and app.debug)


def _check_api_url(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter(f"{value!r} is not an http(s) URL")
    return value.rstrip("/")


@click.group(cls=_Root, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="endpoints-submission-cli")
@click.option(
    "--api-url",
    envvar="MLPERF_API_BASE_URL",
    show_envvar=True,
    default=DEFAULT_API_URL,
    show_default=True,
    callback=_check_api_url,
    help="PRISM API base URL.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for failures.")
@click.option(
    "--token", envvar=TOKEN_ENV, show_envvar=True, default=None, metavar="TOKEN", help=TOKEN_HELP
)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_context
def main(ctx: click.Context, api_url: str, debug: bool, token: str | None, as_json: bool) -> None:
    """Register MLPerf Endpoints benchmark runs with PRISM and submit them.

    Global options (--api-url, --token, --json, --debug) may come before the group, between
    the group and its command, or after the command; the innermost one given wins.
    """
    ctx.obj = AppContext(api_url=api_url, debug=debug, token=token, as_json=as_json)
