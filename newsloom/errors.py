"""Every exception newsloom raises on purpose, in one place.

    NewsloomError
    ├── InputError          an input (file, record, URL) could not be read or understood
    │   └── FetchError      a URL could not be fetched (network, robots.txt, size, address)
    ├── StoreError          the store refused an operation (schema, connection, integrity)
    └── ConfigError         options that do not make sense together

Stages catch ``InputError`` per input, record it as a failure naming the input and the
reason, and go on with the rest; anything else is a bug and stops the run.
"""

from __future__ import annotations


class NewsloomError(Exception):
    """Base class of all errors newsloom raises on purpose."""


class InputError(NewsloomError):
    """An input could not be read; ``origin`` names it and ``reason`` says why."""

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


class FetchError(InputError):
    """A URL could not be fetched."""


class StoreError(NewsloomError):
    """The store refused an operation."""


class ConfigError(NewsloomError):
    """Options that do not make sense together."""
