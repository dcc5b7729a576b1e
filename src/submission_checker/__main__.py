"""``python -m submission_checker`` — the same command line as ``submission-checker``."""

from submission_checker.cli import main

if __name__ == "__main__":
    main(prog_name="submission-checker")
