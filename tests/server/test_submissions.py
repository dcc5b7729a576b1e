"""Submissions endpoints over real HTTP: validation, states, run lists, the 409s, scoping."""

from __future__ import annotations

import pytest

SUBMISSION_FIELDS = {
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
}


@pytest.fixture
def make_submission(api, submission_body):
    def _make(run_ids: list[str], **overrides) -> dict:
        response = api.post("/submissions", json=submission_body(run_ids, **overrides))
        assert response.status_code == 201, response.text
        return response.json()

    return _make


def force_status(prism, sub_id: str, status: str) -> None:
    """Put a submission in a state only PRISM's reviewers could reach (test set-up only)."""
    from prism_server.store import open_store

    store = open_store(prism.data_dir)
    with store._write() as conn:  # noqa: SLF001 - test set-up of a reviewer-only transition
        conn.execute("UPDATE submissions SET status = ? WHERE id = ?", (status, sub_id))


def test_create_get_list(api, make_run, make_submission):
    runs = [make_run()["id"], make_run()["id"]]
    sub = make_submission(runs, embargo_date="2027-01-01T00:00:00+02:00")
    assert set(sub) == SUBMISSION_FIELDS
    assert sub["status"] == "COMPLIANCE_CHECKING"
    assert sub["run_ids"] == runs
    assert sub["embargo_date"].startswith("2026-12-31T22:00:00")
    assert sub["compliance_passed_at"] is None and sub["withdrawn_at"] is None

    detail = api.get(f"/submissions/{sub['id']}", params={"include_runs": "true"}).json()
    assert [run["id"] for run in detail["runs"]] == runs
    assert detail["runs"][0]["model"] == "meta-llama/Llama-2-70b-chat-hf"
    assert detail["compliance_report"] is None
    assert [item["id"] for item in api.get("/submissions").json()["items"]] == [sub["id"]]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"division": "open"}, "division: Input should be 'standardized', 'serviced' or 'rdi'"),
        ({"scenario": "offline"}, "scenario:"),
        ({"availability": "soon"}, "availability:"),
        ({"publication_cycle": "2026-13-C0"}, "publication_cycle: must look like YYYY-MM-C0"),
        ({"publication_cycle": "2026-12-C2"}, "publication_cycle: must look like YYYY-MM-C0"),
        ({"availability": "preview"}, "target_availability_date (YYYY-MM-DD) is required"),
        ({"target_availability_date": "next week"}, "target_availability_date:"),
        ({"embargo_date": "2027-01-01T00:00:00"}, "embargo_date:"),
    ],
)
def test_create_validation(api, make_run, submission_body, overrides, expected):
    response = api.post("/submissions", json=submission_body([make_run()["id"]], **overrides))
    assert response.status_code == 422
    assert expected in response.json()["detail"]


def test_preview_with_date_is_accepted(make_run, make_submission):
    sub = make_submission(
        [make_run()["id"]], availability="preview", target_availability_date="2027-03-01"
    )
    assert sub["target_availability_date"] == "2027-03-01"


def test_run_ids_must_be_the_users_own_runs(prism, api, run_body, submission_body, http):
    other = prism.headers(prism.new_token("someone-else"))
    foreign = http.post(f"{prism.url}/runs", headers=other, json=run_body()).json()["id"]
    for run_id in ["no-such-run", foreign]:
        response = api.post("/submissions", json=submission_body([run_id]))
        assert response.status_code == 422
        assert response.json()["detail"] == (
            f"run_ids: no such run {run_id} (it must be one of your runs)"
        )
    response = api.post("/submissions", json=submission_body(["a", "a"]))
    assert response.status_code == 422
    assert api.get("/submissions").json()["items"] == []


def test_submissions_are_scoped_to_the_token_user(prism, make_run, make_submission):
    run_id = make_run()["id"]
    sub_id = make_submission([run_id])["id"]
    other = prism.client(prism.new_token("intruder"))
    with other:
        assert other.get("/submissions").json()["items"] == []
        for method, path in [
            ("GET", f"/submissions/{sub_id}"),
            ("PATCH", f"/submissions/{sub_id}"),
            ("DELETE", f"/submissions/{sub_id}"),
            ("POST", f"/submissions/{sub_id}/runs/{run_id}"),
            ("DELETE", f"/submissions/{sub_id}/runs/{run_id}"),
            ("GET", f"/submissions/{sub_id}/archive/upload-url"),
            ("GET", f"/submissions/{sub_id}/archive"),
            ("DELETE", f"/submissions/{sub_id}/archive"),
        ]:
            response = other.request(method, path, json={} if method == "PATCH" else None)
            assert response.status_code == 404, (method, path, response.text)
            assert response.json() == {"detail": f"no such submission {sub_id}"}


def test_patch_is_partial(api, make_run, make_submission):
    sub = make_submission([make_run()["id"]])
    patched = api.patch(
        f"/submissions/{sub['id']}",
        json={"pr_url": "https://github.com/mlcommons/x/pull/7", "pr_number": 7},
    ).json()
    assert (patched["pr_url"], patched["pr_number"]) == ("https://github.com/mlcommons/x/pull/7", 7)
    assert patched["publication_cycle"] == "2026-12-C0"  # untouched
    response = api.patch(f"/submissions/{sub['id']}", json={"publication_cycle": "2026-12"})
    assert response.status_code == 422
    again = api.patch(f"/submissions/{sub['id']}", json={"publication_cycle": None}).json()
    assert again["publication_cycle"] is None and again["pr_number"] == 7


def test_patch_run_ids_add_and_remove(api, make_run, make_submission):
    first, second = make_run()["id"], make_run()["id"]
    sub_id = make_submission([first])["id"]
    assert api.patch(f"/submissions/{sub_id}", json={"run_ids": [second, first]}).json()[
        "run_ids"
    ] == [second, first]
    assert api.delete(f"/submissions/{sub_id}/runs/{second}").json()["run_ids"] == [first]
    # Idempotent: removing again or adding twice changes nothing (the client may retry).
    assert api.delete(f"/submissions/{sub_id}/runs/{second}").json()["run_ids"] == [first]
    assert api.post(f"/submissions/{sub_id}/runs/{second}").json()["run_ids"] == [first, second]
    assert api.post(f"/submissions/{sub_id}/runs/{second}").json()["run_ids"] == [first, second]
    response = api.post(f"/submissions/{sub_id}/runs/nope")
    assert response.status_code == 404
    assert response.json() == {"detail": "no such run nope"}
    response = api.patch(f"/submissions/{sub_id}", json={"run_ids": ["nope"]})
    assert response.status_code == 422


def test_withdraw_keeps_the_record_and_is_idempotent(api, make_run, make_submission):
    sub_id = make_submission([make_run()["id"]])["id"]
    withdrawn = api.delete(f"/submissions/{sub_id}")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "WITHDRAWN" and withdrawn.json()["withdrawn_at"]
    again = api.delete(f"/submissions/{sub_id}").json()
    assert again["withdrawn_at"] == withdrawn.json()["withdrawn_at"]
    assert api.get(f"/submissions/{sub_id}").json()["status"] == "WITHDRAWN"


@pytest.mark.parametrize("status", ["FINALIZED", "PUBLISHED", "WITHDRAWN"])
def test_run_list_is_frozen_once_settled(prism, api, make_run, make_submission, status):
    kept, extra = make_run()["id"], make_run()["id"]
    sub_id = make_submission([kept])["id"]
    force_status(prism, sub_id, status)
    for method, path, body in [
        ("POST", f"/submissions/{sub_id}/runs/{extra}", None),
        ("DELETE", f"/submissions/{sub_id}/runs/{kept}", None),
        ("PATCH", f"/submissions/{sub_id}", {"run_ids": [kept, extra]}),
    ]:
        response = api.request(method, path, json=body)
        assert response.status_code == 409, (method, path)
        assert response.json()["detail"] == (
            f"submission {sub_id} is {status}; its runs can no longer change"
        )
    assert api.get(f"/submissions/{sub_id}/archive/upload-url").status_code == 409
    # Unchanged run lists are no change at all: a retried PATCH must not fail.
    assert api.patch(f"/submissions/{sub_id}", json={"run_ids": [kept]}).status_code == 200


def test_status_transitions(prism, api, make_run, make_submission):
    sub_id = make_submission([make_run()["id"]])["id"]
    assert api.patch(f"/submissions/{sub_id}", json={"status": "BOGUS"}).status_code == 422
    response = api.patch(f"/submissions/{sub_id}", json={"status": "REVIEW_PENDING"})
    assert response.status_code == 409
    assert "cannot move from COMPLIANCE_CHECKING to REVIEW_PENDING" in response.json()["detail"]
    force_status(prism, sub_id, "REVIEW_PENDING")
    for review_state in ("FINALIZED", "PUBLISHED"):
        response = api.patch(f"/submissions/{sub_id}", json={"status": review_state})
        assert response.status_code == 403
        assert f"{review_state} is set by PRISM's review" in response.json()["detail"]
    assert api.get(f"/submissions/{sub_id}").json()["status"] == "REVIEW_PENDING"
    force_status(prism, sub_id, "PUBLISHED")
    response = api.delete(f"/submissions/{sub_id}")
    assert response.status_code == 409
    assert "cannot move from PUBLISHED to WITHDRAWN" in response.json()["detail"]


def test_delete_run_conflicts_while_in_a_live_submission(api, make_run, make_submission):
    run_id = make_run()["id"]
    sub_id = make_submission([run_id])["id"]
    response = api.delete(f"/runs/{run_id}")
    assert response.status_code == 409
    assert f"belongs to submission {sub_id}" in response.json()["detail"]
    api.delete(f"/submissions/{sub_id}")  # withdraw
    assert api.delete(f"/runs/{run_id}").status_code == 204
    # The withdrawn record keeps its history.
    assert api.get(f"/submissions/{sub_id}").json()["run_ids"] == [run_id]


def test_run_change_and_finalize_in_one_patch_is_refused(prism, api, make_run, make_submission):
    first, second = make_run()["id"], make_run()["id"]
    sub_id = make_submission([first])["id"]
    force_status(prism, sub_id, "REVIEW_PENDING")
    response = api.patch(
        f"/submissions/{sub_id}", json={"run_ids": [first, second], "status": "FINALIZED"}
    )
    assert response.status_code == 403
    assert "FINALIZED is set by PRISM's review" in response.json()["detail"]
    unchanged = api.get(f"/submissions/{sub_id}").json()
    assert unchanged["run_ids"] == [first] and unchanged["status"] == "REVIEW_PENDING"


def test_repeating_a_patch_on_a_withdrawn_submission_is_no_change(api, make_run, make_submission):
    sub_id = make_submission([make_run()["id"]])["id"]
    api.patch(f"/submissions/{sub_id}", json={"pr_url": "https://example.test/pull/1"})
    api.delete(f"/submissions/{sub_id}")
    same = api.patch(f"/submissions/{sub_id}", json={"pr_url": "https://example.test/pull/1"})
    assert same.status_code == 200
    other = api.patch(f"/submissions/{sub_id}", json={"pr_url": "https://example.test/pull/2"})
    assert other.status_code == 409
    assert "is WITHDRAWN and can no longer change" in other.json()["detail"]
