"""Client for MLCommons PRISM: register benchmark runs, build and submit bundles."""

__version__ = "0.2.0"
