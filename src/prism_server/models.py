"""The request and response shapes of prism-api.md, as pydantic models.

FastAPI validates requests and documents /openapi.json from these, so the shapes here are the
contract the client speaks. Requests ignore unknown fields (be liberal in what you accept);
responses carry exactly the spec's fields.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, field_validator, model_validator

PUBLICATION_CYCLE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-C[01]$")


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


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _check_cycle(value: str | None) -> str | None:
    if value is not None and not PUBLICATION_CYCLE.match(value):
        raise ValueError(f"must look like YYYY-MM-C0 or YYYY-MM-C1, got {value!r}")
    return value


class RunCreate(_Request):
    cli_version: str
    benchmark_version: str
    started_at: AwareDatetime
    finished_at: AwareDatetime
    system_info: dict[str, Any]
    config: dict[str, Any]
    result_summary: dict[str, Any]
    expires_at: AwareDatetime | None = None
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
    cli_version: str
    division: Division
    scenario: Scenario
    availability: Availability
    run_ids: list[str]
    early_publish: bool = False
    publication_cycle: str | None = None
    target_availability_date: date | None = None
    embargo_date: AwareDatetime | None = None
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

    run_ids: list[str] | None = None
    target_availability_date: date | None = None
    publication_cycle: str | None = None
    embargo_date: AwareDatetime | None = None
    status: Status | None = None
    pr_url: str | None = None
    pr_number: int | None = None

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
