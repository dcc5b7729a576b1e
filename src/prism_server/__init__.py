"""A small PRISM-compatible server for tests and offline rehearsal.

``prism-server serve`` implements /work/shared/spec/prism-api.md (the same contract the client
speaks to MLCommons' PRISM), with its whole state in one data dir::

    DIR/prism.sqlite3        tokens (SHA-256 only), runs, submissions; WAL mode, schema_version
    DIR/signing.key          HMAC secret of the signed storage URLs (mode 0600)
    DIR/archives/<kind>/<id>/<random>.tar.gz    stored run archives and submission bundles
    DIR/tmp/                 uploads in flight and bundle unpacking; emptied at every start
    DIR/server.lock          one server per data dir

Modules: ``app`` (HTTP only), ``store`` (SQLite and the API's data rules), ``blobs`` (archive
files, gzip/tar validation, safe extraction), ``compliance`` (runs the project's checker on a
bundle), ``signing``, ``faults`` (opt-in fault injection), ``cli``, ``testing`` (pytest plugin).

Choices where the spec is silent:

- Ids are UUID4 strings; ``user_id`` is the user name given to ``token create``. POSTs that
  create answer 201.
- Unknown or foreign ids in a path are 404 (``no such run <id>``); unknown or foreign ids in a
  SubmissionCreate/Update ``run_ids`` body are 422 (``run_ids: no such run <id> ...``).
- Unpin restores the default expiry counted from *now* (not from creation), so unpinning an old
  run never deletes it on the spot. A RunCreate ``expires_at`` is honoured as given (pinned runs
  never expire). Expired runs are deleted (with their archive) on the next request, unless a
  submission that is not WITHDRAWN holds them.
- Run archives must be one complete, CRC-valid gzip stream of a tar (checked while streaming);
  their members are not inspected because the server never unpacks them. Submission bundles are
  unpacked with tarfile "data" filter rules (by hand, so on every Python >= 3.10) and must hold
  one top directory ``<org>/``, which the checker gets as its path.
- A bundle upload answers 200 once stored and checked; the body also says
  ``compliance_passed`` and the new ``status``. Pass → REVIEW_PENDING (``compliance_passed_at``);
  fail → COMPLIANCE_CHECKING with the report on GET /submissions/{id} as ``compliance_report``.
  A later failing bundle, or a change of the run list, takes a REVIEW_PENDING submission back to
  COMPLIANCE_CHECKING.
- Clients may PATCH ``status`` only to WITHDRAWN (before PUBLISHED); FINALIZED and PUBLISHED
  are 403 for a submitter's token and set by ``prism-server admin set-status`` (REVIEW_PENDING →
  FINALIZED → PUBLISHED); other moves are 409. DELETE (withdraw), adding a run already listed and
  removing a run not listed are idempotent, because clients retry them. WITHDRAWN and PUBLISHED
  submissions refuse every change (409); FINALIZED ones refuse run-list and bundle changes, and
  the runs of a FINALIZED or PUBLISHED submission refuse new archives, archive and run DELETE.
- Idempotency-Key answers are stored per user as the JSON first answered (a replay returns that
  snapshot, even if the record changed since); a failed request frees its key; keys still "in
  progress" at start-up are freed, since creation and answer commit in one transaction.
- Lists are keyset-paginated on (created_at, id); the cursor is that pair, base64url-encoded.
- Uploads need a Content-Length (411 otherwise), are refused above ``--max-upload-bytes`` (413)
  before any byte is read, are counted while they stream and cut as soon as they pass their
  Content-Length (413, whatever Transfer-Encoding says), and a body shorter than announced, or
  silent for ``--upload-idle-timeout`` seconds (408), stores nothing.
"""
