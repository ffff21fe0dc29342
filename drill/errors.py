"""The one error type the CLI turns into a single line and an exit code, never a traceback."""


class DrillError(Exception):
    """Something the user can fix: said in one line; exit 2 unless told otherwise."""

    def __init__(self, message, exit_code=2):
        super().__init__(message)
        self.exit_code = exit_code
