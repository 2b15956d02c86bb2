"""The workflows behind the commands, one module (or package) per job, named by noun.

A job reads the workspace (store, exports), asks analyses and privacy, writes outputs
and records state; the CLI only parses options, calls one job and renders its result.
Nothing below this package imports it.
"""
