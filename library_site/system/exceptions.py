"""The system app's one base error and its children."""

from django.utils.translation import gettext_lazy as _


class LibrarySystemError(Exception):
    """A refusal of the system app (background jobs, their runs): the message says why."""

    default_message = _("The request could not be carried out.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class JobAlreadyWaiting(LibrarySystemError):
    """A run of this job is queued or running already."""


class JobRunRefused(LibrarySystemError):
    """A job's run asked to move to a state its table does not allow."""


class BackupRefused(LibrarySystemError):
    """A backup that cannot be made, an archive that cannot be read or restored here (missing,
    damaged, from a newer schema or another engine), or a restore whose result does not match
    its manifest."""


class AlreadySubmitted(LibrarySystemError):
    """The same form was sent before: what it made (``object_id``, empty when the first sending
    was somebody else's) is not made twice."""

    default_message = _("This form was already sent; it was not saved twice.")

    def __init__(self, object_id: str = "", message=None):
        self.object_id = object_id
        super().__init__(message)
