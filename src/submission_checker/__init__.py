"""MLPerf Endpoints submission checker: public API is SubmissionChecker and Report."""
