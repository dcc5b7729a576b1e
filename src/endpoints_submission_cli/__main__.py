"""``python -m endpoints_submission_cli`` — the same CLI as the console script."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="endpoints-submission-cli")
