"""Exceptions. Each carries a one-line message meant for the user, naming what to fix."""


class StorytraceError(Exception):
    """Base class for errors storytrace reports to users."""


class InputFormatError(StorytraceError):
    """An input item cannot be read: binary, undecodable, empty, too large, malformed."""


class ExtractionError(StorytraceError):
    """No article could be extracted from an otherwise readable item."""


class StoreError(StorytraceError):
    """The store file cannot be opened or is from an incompatible version."""
