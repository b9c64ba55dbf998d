"""Domain errors the CLI turns into one line each."""


class UserError(Exception):
    """A problem the person running the command can fix; the message says what and how."""
