"""A stand-in for the GitHub CLI, written onto PATH by the tests (never imported by the CLI).

It answers the few `gh` calls the forge makes, against a local bare repository that plays
GitHub's role, and records every call (arguments and whether a PRISM token leaked into its
environment) in a JSON state file next to it:

    gh --version | gh auth status | gh repo clone <repo> <dir> -- --depth 1
    gh pr list --repo R --head B --state open --json url,number
    gh pr create --repo R --head B --title T --body B     (fails if branch B was never pushed)
    gh pr close N --repo R --comment C

``state["auth"] = False`` makes ``auth status`` fail; ``state["kill_parent_on"] = "pr create"``
SIGKILLs the calling process (the CLI) when that call arrives, like a machine dying mid-step.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

STATE = Path(__file__).with_name("gh_state.json")


def main(argv):
    state = json.loads(STATE.read_text())
    state["calls"].append({"args": argv, "token_in_env": "PRISM_USER_API_TOKEN" in os.environ})
    STATE.write_text(json.dumps(state, indent=2))

    def save():
        STATE.write_text(json.dumps(state, indent=2))

    def flag(name):
        return argv[argv.index(name) + 1] if name in argv else None

    command = " ".join(argv[:2])
    if state.get("kill_parent_on") and command == state["kill_parent_on"]:
        os.kill(os.getppid(), signal.SIGKILL)
        return 1
    if argv[:1] == ["--version"]:
        print("gh version 2.40.1 (stand-in)")
        return 0
    if command == "auth status":
        if state.get("auth", True):
            print("Logged in to github.com account tester (keyring)", file=sys.stderr)
            return 0
        print(
            "You are not logged into any GitHub hosts. To log in, run: gh auth login",
            file=sys.stderr,
        )
        return 1
    if command == "repo view":
        if state.get("repo_missing"):
            print(f"GraphQL: Could not resolve to a Repository ({argv[2]})", file=sys.stderr)
            return 1
        print(json.dumps({"name": argv[2].split("/")[-1]}))
        return 0
    if command == "repo clone":
        dest = argv[3]
        extra = argv[argv.index("--") + 1 :] if "--" in argv else []
        remote = Path(state["remote"]).as_uri()
        return subprocess.run(["git", "clone", "--quiet", *extra, remote, dest]).returncode
    if command == "pr list":
        head = flag("--head")
        found = [
            {"number": p["number"], "url": p["url"]}
            for p in state["prs"]
            if p["head"] == head and p["state"] == "open"
        ]
        print(json.dumps(found))
        return 0
    if command == "pr create":
        head = flag("--head")
        heads = subprocess.run(
            ["git", "ls-remote", "--heads", state["remote"], head], capture_output=True, text=True
        ).stdout
        if not heads.strip():
            print(f"pull request create failed: head branch {head} not found", file=sys.stderr)
            return 1
        number = 7 + len(state["prs"])
        url = f"https://github.com/{flag('--repo')}/pull/{number}"
        state["prs"].append(
            {
                "number": number,
                "url": url,
                "head": head,
                "state": "open",
                "title": flag("--title"),
                "body": flag("--body"),
            }
        )
        save()
        print(url)
        return 0
    if command == "pr close":
        number = int(argv[2])
        for pr in state["prs"]:
            if pr["number"] == number:
                pr["state"] = "closed"
                pr["comment"] = flag("--comment")
                save()
                print(f"✓ Closed pull request #{number}", file=sys.stderr)
                return 0
        print(f"no pull request #{number}", file=sys.stderr)
        return 1
    print(f"fake gh: unsupported call {argv}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
