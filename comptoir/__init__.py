"""Wiring only: settings, app assembly, command line, background jobs runner."""
