"""User-facing errors: one clear message, no traceback (DEVELOPERS.md 'Bad input')."""


class GovsimError(Exception):
    """An error in the user's input; the CLI prints its message and exits with code 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
