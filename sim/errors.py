"""The one error type for bad user input."""


class InputError(ValueError):
    """Bad user input: the message names the field and what is allowed."""
