"""Contests: set up with a rubric and judges, entered by pupils (or by a teacher for the class),
handed in where the contest needs a submission (typed, or a .docx, .pdf or image within the size
limit, checked by its content and not by its name), scored by each judge on the rubric, averaged,
flagged when the judges' totals lie too far apart (the flag stops publication until the
organiser resolves it), ranked and given prizes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from circulation.models import Reader, SchoolClass
from library_site.accounts.models import User
from library_site.accounts.roles import Capability

from ..exceptions import ContestRefused, UploadRefused
from ..models import Activity, Contest, Criterion, Entry, Score
from ..states import ACTIVITY_STATES

UPLOAD_MAX_BYTES = 10 * 1024 * 1024
TEXT_MAX = 20_000
PRIZE_ORDER = (Entry.Prize.FIRST, Entry.Prize.SECOND, Entry.Prize.THIRD, Entry.Prize.MERIT)


def _check_manager(user: User) -> None:
    if not user.has_perm(Capability.MANAGE_ACTIVITIES.permission):
        raise ContestRefused(_("Only a librarian or the administrator organises contests."))


@transaction.atomic
def contest_create(
    *,
    activity: Activity,
    by: User,
    criteria: list[tuple[str, Decimal]],
    judges: list[User],
    submission: str = Contest.Submission.TEXT,
    disagreement_points: Decimal = Decimal(10),
) -> Contest:
    _check_manager(by)
    if activity.kind not in (*Activity.CONTEST_KINDS, Activity.Kind.READER):
        raise ContestRefused(_("A contest belongs to an essay, recitation or encyclopedia activity."))
    if not criteria:
        raise ContestRefused(_("Set the rubric: at least one criterion with its full marks."))
    if len(judges) < 1:
        raise ContestRefused(_("Name the contest's judges."))
    contest = Contest.objects.create(
        activity=activity, submission=submission, disagreement_points=disagreement_points
    )
    for position, (name, points) in enumerate(criteria):
        if not name.strip() or not Decimal(1) <= Decimal(points) <= Decimal(1000):
            raise ContestRefused(_("Each criterion has a name and full marks from 1 to 1000."))
        Criterion.objects.create(contest=contest, name=name.strip(), max_points=points, position=position)
    contest.judges.set(judges)
    return contest


def _check_open(contest: Contest) -> None:
    if contest.activity.state != Activity.State.OPEN:
        raise ContestRefused(_("The contest is not open for entries."))


def _eligible(contest: Contest, reader: Reader) -> bool:
    activity = contest.activity
    if reader.kind != Reader.Kind.STUDENT or not reader.is_active or reader.school_class_id is None:
        return False
    if activity.grade_list and reader.school_class.grade not in activity.grade_list:
        return False
    class_ids = [school_class.pk for school_class in activity.classes.all()]
    return not class_ids or reader.school_class_id in class_ids


def entry_register(*, contest: Contest, reader: Reader, by: User) -> Entry:
    """A pupil entered (by themselves or by their teacher). Entering twice gives the same entry."""
    _check_open(contest)
    if not _eligible(contest, reader):
        raise ContestRefused(_("This contest is not for %(name)s's grade or class.") % {"name": reader.name})
    existing = Entry.objects.filter(contest=contest, reader=reader).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Entry.objects.create(contest=contest, reader=reader, registered_by=by)
    except IntegrityError:
        return Entry.objects.get(contest=contest, reader=reader)


@transaction.atomic
def class_register(*, contest: Contest, school_class: SchoolClass, readers: list[Reader], by: User) -> int:
    """A teacher enters pupils of a class they teach."""
    from ..selectors.review import class_is_reviewable

    if not by.has_perm(Capability.GRADE_ACTIVITIES.permission) or not class_is_reviewable(
        by, school_class.pk
    ):
        raise ContestRefused(_("You do not teach this class."))
    if any(reader.school_class_id != school_class.pk for reader in readers):
        raise ContestRefused(_("A pupil of another class cannot be entered here."))
    return sum(1 for reader in readers if entry_register(contest=contest, reader=reader, by=by))


def _upload_check(data: bytes, name: str) -> str:
    """The upload's content type, from its bytes: a .docx, a .pdf, a JPEG or a PNG."""
    if len(data) > UPLOAD_MAX_BYTES:
        raise UploadRefused(_("The file is larger than 10 MB."))
    if not data:
        raise UploadRefused(_("The file is empty."))
    lower = name.lower()
    if data.startswith(b"%PDF-") and lower.endswith(".pdf"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff") and lower.endswith((".jpg", ".jpeg")):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and lower.endswith(".png"):
        return "image/png"
    if data.startswith(b"PK") and lower.endswith(".docx"):
        import io
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        except zipfile.BadZipFile:
            pass
    raise UploadRefused(
        _("The file is not what its name says: hand in a .docx, a .pdf, or a JPEG or PNG image.")
    )


@transaction.atomic
def entry_submit(
    *,
    entry: Entry,
    reader: Reader,
    title: str = "",
    text: str = "",
    data: bytes | None = None,
    file_name: str = "",
    now=None,
) -> Entry:
    now = now or timezone.now()
    entry = Entry.objects.select_for_update().select_related("contest__activity").get(pk=entry.pk)
    if entry.reader_id != reader.pk:
        raise ContestRefused(_("This entry is another pupil's."))
    _check_open(entry.contest)
    contest = entry.contest
    if contest.submission == Contest.Submission.NONE:
        raise ContestRefused(_("This contest is judged live: nothing is handed in."))
    if len(text) > TEXT_MAX or len(title) > 200:
        raise ContestRefused(_("The text is longer than %(max)s characters.") % {"max": TEXT_MAX})
    if data is not None:
        if contest.submission != Contest.Submission.FILE:
            raise UploadRefused(_("This contest takes typed texts only."))
        entry.file_type = _upload_check(data, file_name)
        entry.file = data
        entry.file_name = file_name[-200:]
    if not text.strip() and not entry.file_name:
        raise ContestRefused(_("Type your work or upload it before handing it in."))
    entry.title = title.strip()
    entry.text = text.strip()
    entry.submitted_at = now
    entry.save()
    return entry


def _aggregate(entry: Entry, contest: Contest) -> None:
    totals: dict[int, Decimal] = {}
    for judge_id, points in Score.objects.filter(entry=entry).values_list("judge_id", "points"):
        totals[judge_id] = totals.get(judge_id, Decimal(0)) + points
    if totals:
        entry.average = (sum(totals.values()) / len(totals)).quantize(Decimal("0.01"))
        entry.spread = max(totals.values()) - min(totals.values())
    else:
        entry.average = entry.spread = None
    was_flagged = entry.flagged
    entry.flagged = bool(len(totals) >= 2 and entry.spread > contest.disagreement_points)
    if entry.flagged and not was_flagged:
        entry.resolved_at, entry.resolved_by, entry.resolution = None, None, ""
    entry.save(update_fields=["average", "spread", "flagged", "resolved_at", "resolved_by", "resolution"])


@transaction.atomic
def scores_save(*, entry: Entry, judge: User, points: dict[int, str], now=None) -> Entry:
    """A judge's points for one entry, one per criterion of the rubric."""
    now = now or timezone.now()
    entry = Entry.objects.select_for_update().select_related("contest__activity").get(pk=entry.pk)
    contest = entry.contest
    if not contest.judges.filter(pk=judge.pk).exists():
        raise ContestRefused(_("You are not a judge of this contest."))
    if contest.activity.state != Activity.State.JUDGING:
        raise ContestRefused(_("The contest is not being judged now."))
    criteria = {criterion.pk: criterion for criterion in contest.criteria.all()}
    if set(points) - set(criteria):
        raise ContestRefused(_("A score is for a criterion of another contest."))
    parsed = {}
    for pk, text in points.items():
        if str(text).strip() == "":
            continue
        try:
            value = Decimal(str(text).strip())
        except InvalidOperation:
            raise ContestRefused(_("A score is a number.")) from None
        if not 0 <= value <= criteria[pk].max_points:
            raise ContestRefused(
                _("%(criterion)s: the score is between 0 and %(max)s.")
                % {"criterion": criteria[pk].name, "max": criteria[pk].max_points}
            )
        parsed[pk] = value
    for pk, value in parsed.items():
        Score.objects.update_or_create(
            entry=entry, judge=judge, criterion_id=pk, defaults={"points": value, "scored_at": now}
        )
    _aggregate(entry, contest)
    return entry


@transaction.atomic
def entry_resolve(*, entry: Entry, by: User, resolution: str, now=None) -> Entry:
    """The organiser resolves the judges' disagreement over an entry (after talking it over,
    the average stands), saying how."""
    _check_manager(by)
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if not entry.flagged:
        raise ContestRefused(_("The judges do not disagree over this entry."))
    if not resolution.strip():
        raise ContestRefused(_("Say how the disagreement was resolved."))
    entry.resolved_at = now or timezone.now()
    entry.resolved_by = by
    entry.resolution = resolution.strip()[:500]
    entry.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return entry


@transaction.atomic
def contest_publish(*, contest: Contest, by: User, prizes: dict[str, int], now=None) -> Contest:
    """Rank the entries by their average and give the prizes (so many first prizes, second …),
    then publish the results (公示). Refused while any entry's judges disagree unresolved, or an
    entry lacks a judge's scores."""
    _check_manager(by)
    now = now or timezone.now()
    contest = Contest.objects.select_for_update().select_related("activity").get(pk=contest.pk)
    activity = Activity.objects.select_for_update().get(pk=contest.activity_id)
    ACTIVITY_STATES.check(activity.state, Activity.State.PUBLISHED)
    entries = list(contest.entries.filter(withdrawn_at__isnull=True))
    blocked = [entry for entry in entries if entry.blocks_publication]
    if blocked:
        raise ContestRefused(
            _("The judges disagree over %(count)s entries: resolve them before publishing.")
            % {"count": len(blocked)}
        )
    judges = contest.judges.count()
    criteria = contest.criteria.count()
    scored = {}
    for entry_id in Score.objects.filter(entry__in=entries).values_list("entry_id", flat=True):
        scored[entry_id] = scored.get(entry_id, 0) + 1
    if any(scored.get(entry.pk, 0) < judges * criteria for entry in entries):
        raise ContestRefused(_("Every judge must score every entry on every criterion before publication."))
    if any(count < 0 for count in prizes.values()):
        raise ContestRefused(_("The number of prizes cannot be negative."))
    entries.sort(key=lambda entry: (-(entry.average or 0), entry.pk))
    quota = [prize for prize in PRIZE_ORDER for _index in range(prizes.get(prize, 0))]
    for rank, entry in enumerate(entries, start=1):
        entry.rank = rank
        entry.prize = quota[rank - 1] if rank <= len(quota) else ""
    Entry.objects.bulk_update(entries, ["rank", "prize"])
    activity.state = Activity.State.PUBLISHED
    activity.published_at = now
    activity.published_by = by
    activity.save(update_fields=["state", "published_at", "published_by"])
    return contest
