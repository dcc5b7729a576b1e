"""The request and response shapes of prism-api.md, as pydantic models.

FastAPI validates requests and documents /openapi.json from these, so the shapes here are the
contract the client speaks. Requests ignore unknown fields (be liberal in what you accept);
responses carry exactly the spec's fields.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timezone
from enum import Enum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

PUBLICATION_CYCLE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-C[01]$")

# Bounds on every JSON request body, so that what is stored can always be served back: SQLite
# holds integers up to int64, JSON has no NaN or Infinity, UTF-8 has no lone surrogates, and
# deeply nested values once made every later GET of a run fail.
MAX_DEPTH = 64
MAX_STRING_CHARS = 64 * 1024
MAX_KEY_CHARS = 1024
MAX_VALUES = 200_000
# int64 and uint64 (benchmark configs carry unsigned 64-bit seeds); stored as JSON text.
INTEGER_RANGE = (-(2**63), 2**64 - 1)
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class Division(str, Enum):
    standardized = "standardized"
    serviced = "serviced"
    rdi = "rdi"


class Scenario(str, Enum):
    cop = "cop"
    con = "con"


class Availability(str, Enum):
    available = "available"
    preview = "preview"
    rdi = "rdi"


class Status(str, Enum):
    COMPLIANCE_CHECKING = "COMPLIANCE_CHECKING"
    REVIEW_PENDING = "REVIEW_PENDING"
    FINALIZED = "FINALIZED"
    PUBLISHED = "PUBLISHED"
    WITHDRAWN = "WITHDRAWN"


def check_json_value(value: Any) -> None:
    """Raise ValueError naming the first place where ``value`` (a parsed JSON body) leaves the
    bounds above; walks iteratively, so no nesting can exhaust the stack."""
    count = 0
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, where, depth = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise ValueError(f"body holds more than {MAX_VALUES} JSON values; send less data")
        if depth > MAX_DEPTH:
            raise ValueError(f"{where}: nested deeper than {MAX_DEPTH} levels; flatten it")
        if isinstance(item, bool) or item is None:
            continue
        if isinstance(item, int):
            if not INTEGER_RANGE[0] <= item <= INTEGER_RANGE[1]:
                raise ValueError(
                    f"{where}: integer of {item.bit_length()} bits is outside the 64-bit range "
                    "(-2**63 to 2**64-1)"
                )
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise ValueError(f"{where}: {item} is not a JSON number; send a finite number")
        elif isinstance(item, str):
            _check_text(item, where, MAX_STRING_CHARS)
        elif isinstance(item, dict):
            for key, child in item.items():
                shown = f"{where}.{_printable(str(key)[:40])}".lstrip(".")
                _check_text(str(key), shown, MAX_KEY_CHARS)
                stack.append((child, shown, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{i}]", depth + 1) for i, child in enumerate(item))


def _printable(text: str) -> str:
    """``text`` safe to put in an error message (lone surrogates escaped)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _check_text(text: str, where: str, limit: int) -> None:
    if len(text) > limit:
        raise ValueError(f"{where or 'body'}: text of {len(text)} characters (at most {limit})")
    if LONE_SURROGATE.search(text):
        raise ValueError(f"{where or 'body'}: text holds a lone UTF-16 surrogate; send UTF-8")


def _utc_representable(value: datetime) -> datetime:
    """Dates at the calendar's edges (0001-01-01T00:00+01:00) have no UTC form to store."""
    try:
        value.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("date and time is out of range once converted to UTC") from None
    return value


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_utc_representable)]
ShortText = Annotated[str, Field(max_length=255)]
Id = Annotated[str, Field(min_length=1, max_length=255)]
RunIds = Annotated[list[Id], Field(max_length=10_000)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _bounded_json(cls, data: Any) -> Any:
        check_json_value(data)
        return data


def _check_cycle(value: str | None) -> str | None:
    if value is not None and not PUBLICATION_CYCLE.match(value):
        raise ValueError(f"must look like YYYY-MM-C0 or YYYY-MM-C1, got {value!r}")
    return value


class RunCreate(_Request):
    cli_version: ShortText
    benchmark_version: ShortText
    started_at: UtcDatetime
    finished_at: UtcDatetime
    system_info: dict[str, Any]
    config: dict[str, Any]
    result_summary: dict[str, Any]
    expires_at: UtcDatetime | None = None
    pinned: bool = False
    # Round v1.0 (checker-v1.0 A3.5): point.yaml, system_power.json, and the test-run mark.
    point_config: dict[str, Any] | None = None
    system_power: dict[str, Any] | None = None
    is_test: bool = False


class RunSummary(BaseModel):
    id: str
    model: str | None
    concurrency: int | None
    started_at: datetime
    finished_at: datetime
    pinned: bool
    expires_at: datetime | None


class RunOut(RunSummary):
    user_id: str
    benchmark_version: str
    cli_version: str
    system_info: dict[str, Any]
    config: dict[str, Any]
    result_summary: dict[str, Any]
    point_config: dict[str, Any] | None = None
    system_power: dict[str, Any] | None = None
    is_test: bool = False
    archive_uri: str | None
    archive_size: int | None
    archive_sha256: str | None
    created_at: datetime


class SubmissionCreate(_Request):
    cli_version: ShortText
    division: Division
    scenario: Scenario
    availability: Availability
    run_ids: RunIds
    early_publish: bool = False
    publication_cycle: str | None = None
    target_availability_date: date | None = None
    embargo_date: UtcDatetime | None = None
    is_test: bool = False

    _cycle = field_validator("publication_cycle")(_check_cycle)

    @model_validator(mode="after")
    def _preview_needs_date(self) -> SubmissionCreate:
        if self.availability is Availability.preview and self.target_availability_date is None:
            raise ValueError(
                "target_availability_date (YYYY-MM-DD) is required when availability is 'preview'"
            )
        return self


class SubmissionUpdate(_Request):
    """Partial update: only the fields present in the request body are applied."""

    run_ids: RunIds | None = None
    target_availability_date: date | None = None
    publication_cycle: str | None = None
    embargo_date: UtcDatetime | None = None
    status: Status | None = None
    pr_url: Annotated[str, Field(max_length=2048)] | None = None
    pr_number: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None

    _cycle = field_validator("publication_cycle")(_check_cycle)


class SubmissionOut(BaseModel):
    id: str
    user_id: str
    status: Status
    division: Division
    scenario: Scenario
    availability: Availability
    run_ids: list[str]
    early_publish: bool
    is_test: bool = False
    publication_cycle: str | None
    target_availability_date: date | None
    embargo_date: datetime | None
    pr_url: str | None
    pr_number: int | None
    archive_uri: str | None
    created_at: datetime
    compliance_passed_at: datetime | None
    finalized_at: datetime | None
    withdrawn_at: datetime | None


class SubmissionDetail(SubmissionOut):
    """GET /submissions/{id}: the checker's last report on the bundle, and the runs on request."""

    compliance_report: dict[str, Any] | None = None
    runs: list[RunOut] | None = None


class RunPage(BaseModel):
    """GET /runs: one page of runs in creation order; ``next`` is null on the last page."""

    items: list[RunSummary]
    next: str | None


class SubmissionPage(BaseModel):
    """GET /submissions: one page in creation order; ``next`` is null on the last page."""

    items: list[SubmissionOut]
    next: str | None


class UploadUrl(BaseModel):
    upload_url: str
    expires_in: int
    archive_uri: str | None = None


class DownloadUrl(BaseModel):
    download_url: str
    expires_in: int


class StoredArchive(BaseModel):
    """What a successful PUT to a signed upload URL answers (the spec only asks for a 200)."""

    archive_uri: str
    archive_size: int
    archive_sha256: str
    status: Status | None = None
    compliance_passed: bool | None = None


class ErrorOut(BaseModel):
    detail: str
