"""The one exception family every command failure travels in.

Each error carries a message a submitter can act on (what failed, which file/field/id, what to
do next) and the exit code the CLI returns. ``cli.main`` is the single place that turns them into
stderr text. Messages never contain a PRISM token: code that builds them only ever sees a
token's first 4 characters (see ``prism.validate_token``).
"""

from __future__ import annotations


class CliError(Exception):
    """A failure the user can understand and fix; printed without a traceback."""

    def __init__(self, message: str, *, hint: str | None = None, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class PrismError(CliError):
    """PRISM answered with an error, or could not be reached.

    ``status`` is the HTTP status (None for network failures). ``outcome_unknown`` is true when
    a non-idempotent request may or may not have taken effect (e.g. the connection dropped after
    a POST was sent), so the caller must look before trying again.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status: int | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.outcome_unknown = outcome_unknown


class AuthError(PrismError):
    """401/403 from the PRISM API (never used for signed storage URLs)."""


class NotFoundError(PrismError):
    """404: no such run/submission for this token's user."""


class ConflictError(PrismError):
    """409: the server refused because of the current state (e.g. run in a live submission)."""


class ClientTooOldError(PrismError):
    """426: the server wants a newer client."""


class ServerError(PrismError):
    """5xx after the retries ran out (or on a request that must not be retried)."""


class NetworkError(PrismError):
    """Connection refused/reset, timeout, or a connection closed mid-transfer."""


class StorageError(PrismError):
    """A signed storage URL refused the transfer (typically 403: expired). Not an auth error."""


class ArchiveError(CliError):
    """A folder cannot be packed, or a downloaded archive cannot be extracted safely."""


class SecretFoundError(ArchiveError):
    """The secret scan found something that looks like a credential; nothing was packed."""


class RunFolderError(CliError):
    """A benchmark run folder is missing a file, or a file is unreadable or incomplete."""


class BundleError(CliError):
    """The submission bundle cannot be assembled from the runs (helper D's pipeline)."""


class ForgeError(CliError):
    """git or gh failed (helper D's forge module)."""


class ChecksumError(CliError):
    """A transferred file does not have the size or SHA-256 it should have."""
