"""The accounts' one base error and its children, each with a message a librarian understands."""


class AccountsError(Exception):
    """A refusal of the accounts' services; ``message`` says why."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


class RightChangeRefused(AccountsError):
    """A role's right that may not be given or taken away (the administrator's)."""
