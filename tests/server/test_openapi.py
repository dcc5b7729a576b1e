"""/openapi.json documents exactly prism-api.md's endpoints and shapes."""

from __future__ import annotations

SPEC_ENDPOINTS = {
    ("get", "/runs"),
    ("post", "/runs"),
    ("get", "/runs/{run_id}"),
    ("delete", "/runs/{run_id}"),
    ("patch", "/runs/{run_id}/pin"),
    ("patch", "/runs/{run_id}/unpin"),
    ("get", "/runs/{run_id}/archive/upload-url"),
    ("get", "/runs/{run_id}/archive"),
    ("delete", "/runs/{run_id}/archive"),
    ("get", "/submissions"),
    ("post", "/submissions"),
    ("get", "/submissions/{sub_id}"),
    ("patch", "/submissions/{sub_id}"),
    ("delete", "/submissions/{sub_id}"),
    ("post", "/submissions/{sub_id}/runs/{run_id}"),
    ("delete", "/submissions/{sub_id}/runs/{run_id}"),
    ("get", "/submissions/{sub_id}/archive/upload-url"),
    ("get", "/submissions/{sub_id}/archive"),
    ("delete", "/submissions/{sub_id}/archive"),
}
SHAPES = {
    "RunCreate": {
        "cli_version",
        "benchmark_version",
        "started_at",
        "finished_at",
        "system_info",
        "config",
        "result_summary",
        "expires_at",
        "pinned",
        "point_config",
        "system_power",
        "is_test",
    },
    "RunSummary": {
        "id",
        "model",
        "concurrency",
        "started_at",
        "finished_at",
        "pinned",
        "expires_at",
    },
    "SubmissionCreate": {
        "cli_version",
        "division",
        "scenario",
        "availability",
        "run_ids",
        "early_publish",
        "publication_cycle",
        "target_availability_date",
        "embargo_date",
        "is_test",
    },
    "SubmissionUpdate": {
        "run_ids",
        "target_availability_date",
        "publication_cycle",
        "embargo_date",
        "status",
        "pr_url",
        "pr_number",
    },
    "SubmissionOut": {
        "id",
        "user_id",
        "status",
        "division",
        "scenario",
        "availability",
        "run_ids",
        "early_publish",
        "is_test",
        "publication_cycle",
        "target_availability_date",
        "embargo_date",
        "pr_url",
        "pr_number",
        "archive_uri",
        "created_at",
        "compliance_passed_at",
        "finalized_at",
        "withdrawn_at",
    },
}


def test_openapi_lists_the_spec_endpoints(prism, http):
    document = http.get(f"{prism.url}/openapi.json").json()
    found = {(method, path) for path, item in document["paths"].items() for method in item}
    assert found == SPEC_ENDPOINTS
    security = document["components"]["securitySchemes"]
    assert [scheme["name"] for scheme in security.values()] == ["X-API-Key"]


def test_openapi_shapes_match_the_spec(prism, http):
    schemas = http.get(f"{prism.url}/openapi.json").json()["components"]["schemas"]
    for name, fields in SHAPES.items():
        assert set(schemas[name]["properties"]) == fields, name
    run_out = set(schemas["RunOut"]["properties"])
    assert run_out == SHAPES["RunSummary"] | {
        "user_id",
        "benchmark_version",
        "cli_version",
        "system_info",
        "config",
        "result_summary",
        "archive_uri",
        "archive_size",
        "archive_sha256",
        "created_at",
        "point_config",
        "system_power",
        "is_test",
    }
    division = schemas["Division"]["enum"]
    assert division == ["standardized", "serviced", "rdi"]
    assert set(schemas["ErrorOut"]["properties"]) == {"detail"}


def test_docs_page_works_offline(api):
    page = api.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "<script" not in text and "http://" not in text and "https://" not in text
    assert "href='/openapi.json'" in text
    for method, path in SPEC_ENDPOINTS:
        assert f"<code>{method.upper()}</code></td><td><code>{path}</code>" in text
    assert api.get("/redoc").status_code == 404
