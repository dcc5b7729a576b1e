"""What every command shares: the application context and the common options.

Lives apart from ``cli.py`` so that command modules can import it while ``cli.py`` imports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

if TYPE_CHECKING:  # httpx is imported only by the commands that make requests
    from .prism import PrismClient


@dataclass
class AppContext:
    """Global settings; ``token`` and ``as_json`` are those given before the command (at the
    root or on its group); the command's own ``--token``/``--json`` are applied over them."""

    api_url: str
    debug: bool = False
    token: str | None = None
    as_json: bool = False
    extract_limits: dict[str, Any] = field(default_factory=dict)  # ExtractLimits fields given

    def client(self, token: str | None) -> PrismClient:
        """A client for this command (validates the token before any request)."""
        from .prism import PrismClient

        return PrismClient(self.api_url, token or "")


pass_app = click.make_pass_decorator(AppContext)

TOKEN_ENV = "PRISM_USER_API_TOKEN"
TOKEN_HELP = "PRISM API token (prefer the environment variable: a flag shows up in `ps`)."
JSON_HELP = "Print machine-readable JSON on stdout."


def _given_here(ctx: click.Context, name: str) -> bool:
    return ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE


def _token_value(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--token`` after the subcommand wins; else one given before it; else the environment."""
    app = ctx.find_object(AppContext)
    if app is not None and app.token is not None and not _given_here(ctx, str(param.name)):
        return app.token
    return value


def _json_value(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    app = ctx.find_object(AppContext)
    return value or bool(app and app.as_json)


token_option = click.option(
    "--token",
    envvar=TOKEN_ENV,
    show_envvar=True,
    default=None,
    metavar="TOKEN",
    callback=_token_value,
    help=TOKEN_HELP,
)

json_option = click.option("--json", "as_json", is_flag=True, callback=_json_value, help=JSON_HELP)
