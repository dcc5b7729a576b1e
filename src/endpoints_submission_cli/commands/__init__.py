"""Thin click commands: parse options, call the modules that do the work, print the result."""
