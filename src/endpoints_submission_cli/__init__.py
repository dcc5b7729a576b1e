"""Client for MLCommons PRISM: register benchmark runs, build and submit bundles."""

__version__ = "0.2.0"
# Here rather than in prism.py so the command tree can show it without importing httpx.
DEFAULT_API_URL = "https://endpointsapi.mlcommons.org"
