"""What every command shares: the application context and the common options.

Lives apart from ``cli.py`` so that command modules can import it while ``cli.py`` imports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # httpx is imported only by the commands that make requests
    from .prism import PrismClient


@dataclass
class AppContext:
    api_url: str
    debug: bool = False

    def client(self, token: str | None) -> PrismClient:
        """A client for this command (validates the token before any request)."""
        from .prism import PrismClient

        return PrismClient(self.api_url, token or "")


pass_app = click.make_pass_decorator(AppContext)

token_option = click.option(
    "--token",
    envvar="PRISM_USER_API_TOKEN",
    show_envvar=True,
    default=None,
    metavar="TOKEN",
    help="PRISM API token (prefer the environment variable: a flag shows up in `ps`).",
)

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print machine-readable JSON on stdout."
)
