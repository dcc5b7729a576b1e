"""Every JSON body is validated before it is stored: poison values are 422, never a 500, and
never a record that later fails to load (issue 13 item 5)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def _raw(body: dict, **replace: str) -> bytes:
    """``body`` as JSON with some values replaced by raw JSON text (NaN, escapes, …)."""
    text = json.dumps({**body, **{key: f"@@{key}@@" for key in replace}})
    for key, raw in replace.items():
        text = text.replace(f'"@@{key}@@"', raw)
    return text.encode()


def _nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


POISON = {
    "integer beyond uint64": {"result_summary": '{"n": 18446744073709551616}'},
    "negative beyond int64": {"config": '{"seed": -9223372036854775809}'},
    "lone surrogate value": {"cli_version": '"0.2\\ud800"'},
    "lone surrogate key": {"system_info": '{"\\udfff": 1}'},
    "NaN": {"result_summary": '{"latency": NaN}'},
    "Infinity": {"result_summary": '{"latency": Infinity}'},
    "overflowing float": {"result_summary": '{"latency": 1e400}'},
    "date before year 1 in UTC": {"started_at": '"0001-01-01T00:00:00+01:00"'},
    "date after year 9999 in UTC": {"finished_at": '"9999-12-31T23:30:00-01:00"'},
    "expiry after year 9999 in UTC": {"expires_at": '"9999-12-31T23:59:59-23:59"'},
    "nested 65 levels": {"config": _nested(65)},
    "nested 300 levels": {"system_info": _nested(300)},
    "huge string": {"system_info": json.dumps({"notes": "x" * 70_000})},
    "huge version": {"cli_version": json.dumps("1" * 300)},
}


@pytest.mark.parametrize("replace", POISON.values(), ids=POISON.keys())
def test_poisoned_run_bodies_are_422_and_store_nothing(api, run_body, replace):
    response = api.post(
        "/runs", content=_raw(run_body(), **replace), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"]
    assert api.get("/runs").json()["items"] == []


def test_nesting_beyond_the_parser_is_a_clear_error(api, run_body):
    body = _raw(run_body(), config=_nested(100_000))
    response = api.post("/runs", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422), response.text
    assert api.get("/runs").json()["items"] == []


def test_bounded_values_at_the_edges_are_stored_and_served(api, run_body):
    edges = {
        "seed": 2**64 - 1,
        "max": 2**63 - 1,
        "min": -(2**63),
        "deep": json.loads(_nested(60)),
        "text": "é" * 1000 + "😀",
    }
    created = api.post(
        "/runs",
        json=run_body(
            result_summary=edges,
            config={"settings": {"load_pattern": {"target_concurrency": 2**63}}},
            started_at="0001-01-01T00:00:00+00:00",
            finished_at="9999-12-31T23:59:59Z",
        ),
    )
    assert created.status_code == 201, created.text
    again = api.get(f"/runs/{created.json()['id']}")
    assert again.status_code == 200 and again.json()["result_summary"] == edges
    assert again.json()["concurrency"] is None  # no SQLite INTEGER holds it: not summarised


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"pr_number": 2**63}, "pr_number"),
        ({"pr_url": "https://x.test/" + "p" * 3000}, "pr_url"),
        ({"embargo_date": "0001-01-01T00:00:00+05:00"}, "embargo_date"),
        ({"run_ids": ["\ud800"]}, "surrogate"),
    ],
)
def test_poisoned_submission_patches_are_422(api, make_run, submission_body, patch, field):
    sub = api.post("/submissions", json=submission_body([make_run()["id"]])).json()
    body = json.dumps(patch).encode()  # ensure_ascii keeps a lone surrogate as \ud800
    response = api.patch(
        f"/submissions/{sub['id']}", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"]
    after = api.get(f"/submissions/{sub['id']}").json()
    assert {key: after[key] for key in sub} == sub


def test_an_api_body_beyond_the_limit_is_413(api, run_body):
    big = run_body(system_info={f"k{i}": "x" * 60_000 for i in range(150)})  # ~9 MB
    response = api.post("/runs", json=big)
    assert response.status_code == 413
    assert "exceeds this server's limit" in response.json()["detail"]
    assert api.get("/runs").json()["items"] == []


EDGES = st.sampled_from([2**63, 2**64, -(2**63) - 1, 2**64 - 1, 10**30, "\ud800", "a\udfffb"])
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(exclude_categories=()), max_size=20)
    | EDGES,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)
DATES = st.sampled_from(
    [
        "2026-11-01T10:00:00Z",
        "0001-01-01T00:00:00+00:30",
        "9999-12-31T23:59:59-00:30",
        "2026-02-30T00:00:00Z",
        "not a date",
        "2026-11-01T10:00:00",
    ]
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    config=JSON,
    summary=JSON,
    version=JSON,
    started=DATES,
    extra=st.integers(min_value=0, max_value=300),
)
def test_no_json_body_ever_makes_a_500(api, run_body, config, summary, version, started, extra):
    body = run_body(
        config={"wrapped": config, "deep": json.loads(_nested(extra))},
        result_summary={"s": summary},
        cli_version=version,
        started_at=started,
    )
    text = json.dumps(body, allow_nan=True)  # NaN/Infinity and lone surrogates pass through
    response = api.post("/runs", content=text, headers={"Content-Type": "application/json"})
    assert response.status_code in (201, 422), response.text
    if response.status_code == 201:
        stored = api.get(f"/runs/{response.json()['id']}")
        assert stored.status_code == 200
        assert api.delete(f"/runs/{response.json()['id']}").status_code == 204
    assert api.get("/runs").status_code == 200
