"""The catalogue: records (the work), copies (the physical items), where copies stand, the
Chinese Library Classification and the library's cataloguing settings.

Copy status is a state that only ``catalog.services`` (and the services of apps above it)
change; every change is written to ``CopyStatusChange`` with who made it and when.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from library_site.accounts.fields import actor_field
from library_site.school import class_name

from .querysets import CopyQuerySet, RecordQuerySet


class ClassificationClass(models.Model):
    """A class of the Chinese Library Classification (中图法), loaded from data/clc.tsv."""

    code = models.CharField(_("class number"), max_length=20, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("broader class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    # Position in classification order (the order of the shelves), from the data file.
    position = models.PositiveIntegerField(_("position"), default=0, db_index=True)

    class Meta:
        verbose_name = _("classification class")
        verbose_name_plural = _("classification classes")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def top_code(self) -> str:
        return self.code[0]


class Location(models.Model):
    """A room of the library, or a class's book corner. Every copy stands in one."""

    class Kind(models.TextChoices):
        STACKS = "stacks", _("Stacks")
        READING_ROOM = "reading_room", _("Reading room")
        PERIODICALS_ROOM = "periodicals_room", _("Periodicals room")
        CLASS_CORNER = "class_corner", _("Class book corner")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.STACKS)
    is_active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class CatalogSettings(models.Model):
    """The library's cataloguing choices, edited by the administrator. One row."""

    class CallNumberMode(models.TextChoices):
        SEQUENCE = "sequence", _("Class number / sequence number (种次号), assigned automatically")
        AUTHOR = "author", _("Class number / author number (著者号 or four-corner number), typed in")

    library_name = models.CharField(_("library name"), max_length=100, blank=True)
    barcode_prefix = models.CharField(
        _("barcode prefix"),
        max_length=8,
        blank=True,
        default="T",
        help_text=_(
            "Letters before the number on every new copy's barcode, so that the desk tells copies from cards."
        ),
    )
    barcode_digits = models.PositiveSmallIntegerField(
        _("barcode digits"), default=7, validators=[MinValueValidator(4), MaxValueValidator(12)]
    )
    accession_digits = models.PositiveSmallIntegerField(
        _("accession number digits"), default=6, validators=[MinValueValidator(4), MaxValueValidator(12)]
    )
    call_number_mode = models.CharField(
        _("call numbers"), max_length=10, choices=CallNumberMode.choices, default=CallNumberMode.SEQUENCE
    )
    opac_public = models.BooleanField(
        _("catalogue open to visitors who have not signed in"),
        default=True,
        help_text=_("On a school intranet the catalogue is usually open to everyone."),
    )

    class Meta:
        verbose_name = _("cataloguing settings")
        verbose_name_plural = _("cataloguing settings")

    def __str__(self) -> str:
        return str(_("Cataloguing settings"))

    @classmethod
    def current(cls) -> CatalogSettings:
        return cls.objects.order_by("pk").first() or cls.objects.create()


class Counter(models.Model):
    """A sequence (barcodes, accession numbers, 种次号 per class), advanced under a row lock."""

    key = models.CharField(max_length=60, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class Record(models.Model):
    """A work as the catalogue describes it (书目), with its copies."""

    class MaterialType(models.TextChoices):
        BOOK = "book", _("Book")
        PERIODICAL_VOLUME = "periodical_volume", _("Bound periodical volume")
        AUDIO_VISUAL = "audio_visual", _("Audio-visual")
        E_RESOURCE = "e_resource", _("E-resource")
        TEXTBOOK = "textbook", _("Textbook")

    class Language(models.TextChoices):
        CHINESE = "chi", _("Chinese")
        ENGLISH = "eng", _("English")
        OTHER = "und", _("Other")

    title = models.CharField(_("title"), max_length=300)
    subtitle = models.CharField(_("subtitle"), max_length=300, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    place = models.CharField(_("place of publication"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, validators=[MinValueValidator(1000), MaxValueValidator(2100)]
    )
    edition = models.CharField(_("edition"), max_length=100, blank=True)
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True, db_index=True)
    price = models.DecimalField(
        _("list price (定价)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.CharField(_("size"), max_length=50, blank=True, help_text=_("For example 24cm."))
    series = models.CharField(_("series"), max_length=200, blank=True)
    subjects = models.CharField(
        _("subjects and keywords"), max_length=500, blank=True, help_text=_("Separated by semicolons.")
    )
    summary = models.TextField(_("summary"), blank=True)
    clc_code = models.CharField(_("CLC class number"), max_length=30, blank=True)
    classification = models.ForeignKey(
        ClassificationClass,
        verbose_name=_("classification class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    call_number = models.CharField(_("call number (索书号)"), max_length=60, blank=True, db_index=True)
    language = models.CharField(
        _("language"), max_length=3, choices=Language.choices, default=Language.CHINESE
    )
    material_type = models.CharField(
        _("material type"), max_length=20, choices=MaterialType.choices, default=MaterialType.BOOK
    )
    link = models.URLField(
        _("link"), max_length=500, blank=True, help_text=_("For e-resources: where to read it.")
    )
    reading_level_from = models.PositiveSmallIntegerField(
        _("reading level from grade"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    reading_level_to = models.PositiveSmallIntegerField(
        _("reading level to grade"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    # Derived by catalog.search from the fields above, for the OPAC; never edited by hand.
    # search_text: every searchable field, simplified, lower-case, with the title's and the
    # authors' pinyin and pinyin initials; search_grams: its Chinese characters and pairs of
    # characters (indexed on PostgreSQL for one- and two-character queries); the title forms
    # rank the results; title_sort orders titles by pinyin.
    search_text = models.TextField(editable=False, default="")
    search_grams = models.TextField(editable=False, default="")
    title_search = models.CharField(editable=False, max_length=300, default="")
    title_pinyin = models.CharField(editable=False, max_length=600, default="")
    title_initials = models.CharField(editable=False, max_length=300, default="")
    title_sort = models.CharField(editable=False, max_length=600, default="", db_index=True)
    created_at = models.DateTimeField(_("catalogued at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = actor_field(_("catalogued by"))

    objects = RecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("record")
        verbose_name_plural = _("records")
        ordering = ["title_sort", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reading_level_from__isnull=True)
                | Q(reading_level_to__isnull=True)
                | Q(reading_level_from__lte=models.F("reading_level_to")),
                name="record_reading_levels_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def full_title(self) -> str:
        return f"{self.title}：{self.subtitle}" if self.subtitle else self.title

    @property
    def is_book(self) -> bool:
        return self.material_type == self.MaterialType.BOOK

    @property
    def is_e_resource(self) -> bool:
        return self.material_type == self.MaterialType.E_RESOURCE

    @property
    def authors_display(self) -> str:
        contributors = getattr(self, "_prefetched_objects_cache", {}).get("contributors")
        if contributors is None:
            contributors = self.contributors.all()
        return "；".join(f"{item.name} {item.get_role_display()}" for item in contributors)


class Contributor(models.Model):
    """An author of a record with their role (著, 编, 译, 绘 …), in the order of the title page."""

    class Role(models.TextChoices):
        # Shown after the name as a Chinese title page does: 曹文轩 著, 任溶溶 译, 高鹗 续.
        AUTHOR = "author", pgettext_lazy("contributor role", "author")
        EDITOR = "editor", pgettext_lazy("contributor role", "editor")
        CHIEF_EDITOR = "chief_editor", pgettext_lazy("contributor role", "chief editor")
        TRANSLATOR = "translator", pgettext_lazy("contributor role", "translator")
        ILLUSTRATOR = "illustrator", pgettext_lazy("contributor role", "illustrator")
        ADAPTER = "adapter", pgettext_lazy("contributor role", "adapter")
        EDITOR_AUTHOR = "editor_author", pgettext_lazy("contributor role", "edited and written by")  # 编著
        CONTINUER = "continuer", pgettext_lazy("contributor role", "continued by")  # 续
        COLLATOR_ANNOTATOR = (
            "collator_annotator",
            pgettext_lazy("contributor role", "collated and annotated by"),
        )
        ARRANGER = "arranger", pgettext_lazy("contributor role", "arranged by")  # 整理
        COMMENTATOR = "commentator", pgettext_lazy("contributor role", "with commentary by")  # 评注
        SELECTOR = "selector", pgettext_lazy("contributor role", "selected and edited by")  # 编选, 选编

    # The words of Chinese title pages and statements of responsibility for each role, the first
    # the one an export writes. The spreadsheet, the MARC import and the record form read them.
    ROLE_WORDS_CHINESE = {
        Role.AUTHOR: ("著", "原著", "著者", "撰"),
        Role.EDITOR: ("编", "编写", "编者", "编辑"),
        Role.CHIEF_EDITOR: ("主编", "总主编"),
        Role.TRANSLATOR: ("译", "翻译", "译者"),
        Role.ILLUSTRATOR: ("绘", "绘图", "绘画", "插图"),
        Role.ADAPTER: ("改编",),
        Role.EDITOR_AUTHOR: ("编著",),
        Role.CONTINUER: ("续", "续书"),
        Role.COLLATOR_ANNOTATOR: ("校注",),
        Role.ARRANGER: ("整理",),
        Role.COMMENTATOR: ("评注",),
        Role.SELECTOR: ("编选", "选编"),
    }

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="contributors")
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AUTHOR)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("contributor")
        verbose_name_plural = _("contributors")
        ordering = ["record", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} {self.get_role_display()}"


class Copy(models.Model):
    """A physical item with its barcode and accession number (财产登记号)."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        ON_LOAN = "on_loan", pgettext_lazy("copy status", "On loan")
        ON_HOLD_SHELF = "on_hold_shelf", _("On the hold shelf")
        IN_REPAIR = "in_repair", _("In repair")
        LOST = "lost", _("Lost")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        IN_CLASS_CORNER = "in_class_corner", _("In a class book corner")
        # A donated copy whose content the library checks before it circulates (issue 18).
        AWAITING_REVIEW = "awaiting_review", _("Awaiting content review")

    # Where a reader could find the copy in the library: what a stocktake expects on the shelves.
    SHELF_STATUSES = (Status.AVAILABLE, Status.IN_CLASS_CORNER)

    class Source(models.TextChoices):
        PURCHASE = "purchase", _("Purchase")
        DONATION = "donation", _("Donation")
        TRANSFER = "transfer", _("Transfer")

    record = models.ForeignKey(
        Record, verbose_name=_("record"), on_delete=models.PROTECT, related_name="copies"
    )
    barcode = models.CharField(_("barcode"), max_length=32, unique=True)
    accession_number = models.CharField(_("accession number (财产登记号)"), max_length=32, unique=True)
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="copies"
    )
    shelf = models.CharField(_("shelf"), max_length=50, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.AVAILABLE,
        editable=False,
        db_index=True,
    )
    acquired_on = models.DateField(_("acquired on"), default=timezone.localdate)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.PURCHASE)
    donor = models.CharField(_("donor"), max_length=100, blank=True)
    price_paid = models.DecimalField(_("price paid"), max_digits=10, decimal_places=2, null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("added at"), default=timezone.now)
    created_by = actor_field(_("added by"))

    objects = CopyQuerySet.as_manager()

    class Meta:
        verbose_name = _("copy")
        verbose_name_plural = _("copies")
        ordering = ["barcode"]
        indexes = [models.Index(fields=["record", "status"], name="copy_record_status")]

    def __str__(self) -> str:
        return self.barcode


class CopyStatusChange(models.Model):
    """Who changed a copy's status, when, and why: nothing a library accounts for goes unrecorded."""

    copy = models.ForeignKey(Copy, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Copy.Status.choices)
    to_status = models.CharField(max_length=20, choices=Copy.Status.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("copy status change")
        verbose_name_plural = _("copy status changes")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.copy_id}: {self.from_status} → {self.to_status}"


class LabelSheet(models.Model):
    """An A4 sheet of labels (rows × columns, margins and gaps in millimetres)."""

    class Kind(models.TextChoices):
        SPINE = "spine", _("Spine labels (call number)")
        BARCODE = "barcode", _("Barcode labels")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    rows = models.PositiveSmallIntegerField(
        _("rows"), validators=[MinValueValidator(1), MaxValueValidator(40)]
    )
    columns = models.PositiveSmallIntegerField(
        _("columns"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    margin_top_mm = models.DecimalField(_("top margin (mm)"), max_digits=5, decimal_places=1, default=10)
    margin_left_mm = models.DecimalField(_("left margin (mm)"), max_digits=5, decimal_places=1, default=8)
    label_width_mm = models.DecimalField(_("label width (mm)"), max_digits=5, decimal_places=1)
    label_height_mm = models.DecimalField(_("label height (mm)"), max_digits=5, decimal_places=1)
    gap_horizontal_mm = models.DecimalField(
        _("gap between columns (mm)"), max_digits=5, decimal_places=1, default=2
    )
    gap_vertical_mm = models.DecimalField(
        _("gap between rows (mm)"), max_digits=5, decimal_places=1, default=0
    )

    class Meta:
        verbose_name = _("label sheet")
        verbose_name_plural = _("label sheets")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


# --- newspapers and periodicals (报刊) ------------------------------------------------------------


class Serial(models.Model):
    """A newspaper or a periodical the library subscribes to (报纸, 期刊), by its ISSN or its
    domestic CN number (国内统一连续出版物号, CN 11-1234/G4)."""

    class Kind(models.TextChoices):
        NEWSPAPER = "newspaper", _("Newspaper")
        PERIODICAL = "periodical", _("Periodical")

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        SEMIMONTHLY = "semimonthly", _("Twice a month")
        MONTHLY = "monthly", _("Monthly")
        BIMONTHLY = "bimonthly", _("Every two months")
        QUARTERLY = "quarterly", _("Quarterly")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    issn = models.CharField(_("ISSN"), max_length=9, blank=True)
    cn_number = models.CharField(_("CN number"), max_length=20, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    frequency = models.CharField(_("frequency"), max_length=12, choices=Frequency.choices)
    weekdays_only = models.BooleanField(
        _("not published at weekends"),
        default=False,
        help_text=_("For a daily paper that has no Saturday and Sunday issues."),
    )
    is_active = models.BooleanField(_("still subscribed"), default=True)
    created_at = models.DateTimeField(_("added at"), default=timezone.now)
    created_by = actor_field(_("added by"))

    class Meta:
        verbose_name = _("newspaper or periodical")
        verbose_name_plural = _("newspapers and periodicals")
        ordering = ["kind", "title"]
        constraints = [
            models.UniqueConstraint(fields=["issn"], condition=~Q(issn=""), name="serial_unique_issn"),
            models.UniqueConstraint(
                fields=["cn_number"], condition=~Q(cn_number=""), name="serial_unique_cn_number"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Subscription(models.Model):
    """A year's subscription to a serial for one room (报刊征订): how many copies of each issue
    come, and what the year costs. Its expected issues are predicted from the frequency."""

    serial = models.ForeignKey(
        Serial,
        verbose_name=_("newspaper or periodical"),
        on_delete=models.PROTECT,
        related_name="subscriptions",
    )
    location = models.ForeignKey(
        Location, verbose_name=_("room"), on_delete=models.PROTECT, related_name="subscriptions"
    )
    year = models.PositiveSmallIntegerField(
        pgettext_lazy("subscription year", "year"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    copies = models.PositiveSmallIntegerField(
        _("copies of each issue"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    price = models.DecimalField(
        _("price for the year"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    supplier = models.CharField(_("supplier"), max_length=100, blank=True, help_text=_("For example 邮局."))
    created_at = models.DateTimeField(_("added at"), default=timezone.now)
    created_by = actor_field(_("added by"))

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-year", "serial__title"]
        constraints = [
            models.UniqueConstraint(
                fields=["serial", "location", "year"], name="subscription_unique_serial_room_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.serial} · {self.location} · {self.year}"


class SerialIssue(models.Model):
    """An issue a subscription expects (第 n 期), and its check-in when it comes. Bound into a
    volume (期刊装订), it points to the copy that volume became."""

    # An issue is missing (to be claimed, 催缺) when it has not come this many days after its day.
    MISSING_AFTER_DAYS = 7

    class State(models.TextChoices):
        """Where an issue stands (catalog.states.ISSUE_STATES), read from its check-in and its
        binding: expected, checked in, bound into a volume."""

        EXPECTED = "expected", pgettext_lazy("serial issue", "Expected")
        RECEIVED = "received", _("Checked in")
        BOUND = "bound", _("Bound")

    subscription = models.ForeignKey(
        Subscription, verbose_name=_("subscription"), on_delete=models.PROTECT, related_name="issues"
    )
    number = models.PositiveSmallIntegerField(_("issue number"))
    expected_on = models.DateField(_("expected on"))
    received_on = models.DateField(pgettext_lazy("serial issue", "received on"), null=True, blank=True)
    received_by = actor_field(pgettext_lazy("serial issue", "received by"))
    claimed_on = models.DateField(_("claimed on"), null=True, blank=True)
    bound_into = models.ForeignKey(
        Copy,
        verbose_name=_("bound into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bound_issues",
    )

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["subscription", "number"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "number"], name="serial_issue_unique_number"),
        ]
        indexes = [models.Index(fields=["expected_on", "received_on"], name="serial_issue_expected")]

    def __str__(self) -> str:
        return f"{self.subscription.serial} {self.subscription.year}-{self.number}"

    @property
    def state(self) -> str:
        if self.bound_into_id is not None:
            return self.State.BOUND
        return self.State.RECEIVED if self.received_on is not None else self.State.EXPECTED

    def is_missing_on(self, day) -> bool:
        return self.received_on is None and (day - self.expected_on).days > self.MISSING_AFTER_DAYS


# --- collection care: repairs, write-offs, stocktaking ---
# C6 repairs (register E), C7 write-offs (register F), C8 stocktaking against the shelves.
# Nothing here is deleted: a repair is closed, a write-off batch is approved (its copies become
# withdrawn) or cancelled, a stocktake is confirmed (its missing copies become lost).


class Repair(models.Model):
    """A damaged copy sent to repair (图书修补): the damage, who reported it and from where, and
    when it was closed, by whom, with what result. One open repair per copy."""

    class Source(models.TextChoices):
        DESK = "desk", _("Returned damaged at the desk")
        SHELF_CHECK = "shelf_check", _("Shelf check")
        STOCKTAKING = "stocktaking", _("Stocktaking")

    class Result(models.TextChoices):
        SHELVED = "shelved", _("Repaired, back on the shelf")
        WRITTEN_OFF = "written_off", _("Beyond repair, to be written off")

    class State(models.TextChoices):
        """Where a repair stands (catalog.states.REPAIR_STATES): open until it is closed with its
        result. Not a field: an open repair has no result yet."""

        OPEN = "open", _("In repair")
        SHELVED = "shelved", _("Repaired, back on the shelf")
        WRITTEN_OFF = "written_off", _("Beyond repair, to be written off")

    copy = models.ForeignKey(Copy, verbose_name=_("copy"), on_delete=models.PROTECT, related_name="repairs")
    damage = models.CharField(_("damage"), max_length=300)
    source = models.CharField(
        _("found at"), max_length=20, choices=Source.choices, default=Source.SHELF_CHECK
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    reported_by = actor_field(_("reported by"))
    closed_on = models.DateField(_("repaired on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    repaired_by = actor_field(_("repaired by"))
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("repair")
        verbose_name_plural = _("repairs")
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["copy"], condition=Q(closed_at__isnull=True), name="repair_one_open_per_copy"
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, result="")
                | Q(closed_at__isnull=False, closed_on__isnull=False) & ~Q(result=""),
                name="repair_closed_with_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.copy_id}: {self.damage}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def state(self) -> str:
        return self.State(self.result) if self.result else self.State.OPEN


class WriteOffBatch(models.Model):
    """A batch of copies to write off (图书注销, 剔除; register F), with its reason. A librarian
    builds and submits it; an administrator approves it, and its copies become withdrawn."""

    class Reason(models.TextChoices):
        DAMAGED = "damaged", _("Damaged beyond repair")
        LOST = "lost", _("Lost")
        OUTDATED = "outdated", _("Outdated")
        TRANSFERRED = "transferred", _("Transferred")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        CANCELLED = "cancelled", _("Cancelled")

    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = actor_field(_("created by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = actor_field(_("submitted by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, db_index=True)
    decided_by = actor_field(_("decided by"))
    # The administrator's last word: why the batch was sent back, or a note on approval.
    decision_comment = models.CharField(_("comment"), max_length=500, blank=True)
    # Frozen on approval: what the register shows whatever prices change later.
    total_value = models.DecimalField(
        _("total value"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("write-off batch")
        verbose_name_plural = _("write-off batches")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(decided_at__isnull=False, decided_by__isnull=False),
                name="write_off_approved_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Write-off batch')} {self.pk}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def awaits_decision(self) -> bool:
        """Submitted: the administrator approves it or sends it back."""
        return self.status == self.Status.SUBMITTED

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class WriteOffItem(models.Model):
    """A copy in a write-off batch, with its value (the price paid, else the record's price).
    ``active`` is true while the batch is not cancelled: a copy is in one active batch at most,
    so no copy is written off twice."""

    batch = models.ForeignKey(
        WriteOffBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="items"
    )
    copy = models.ForeignKey(
        Copy, verbose_name=_("copy"), on_delete=models.PROTECT, related_name="write_off_items"
    )
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2, null=True, blank=True)
    active = models.BooleanField(default=True)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("written-off copy")
        verbose_name_plural = _("written-off copies")
        ordering = ["batch", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["copy"], condition=Q(active=True), name="write_off_item_one_active_per_copy"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.copy_id}"


class Stocktake(models.Model):
    """A stocktake (清点) of one location, optionally a range of shelves: the barcodes scanned
    on the shelves compared with the copies the catalogue puts there."""

    class Status(models.TextChoices):
        OPEN = "open", _("Scanning")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="stocktakes"
    )
    shelf_from = models.CharField(_("from shelf"), max_length=50, blank=True)
    shelf_to = models.CharField(_("to shelf"), max_length=50, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    started_by = actor_field(_("started by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = actor_field(_("confirmed by"))

    class Meta:
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{_('Stocktake')} {self.pk} {self.location}"

    @property
    def is_open(self) -> bool:
        """Still being scanned."""
        return self.status == self.Status.OPEN

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def shelf_range(self) -> str:
        if self.shelf_from or self.shelf_to:
            return f"{self.shelf_from or '…'} – {self.shelf_to or '…'}"
        return ""


class StocktakeScan(models.Model):
    """One barcode scanned in a stocktake. Unique per stocktake and barcode: two people scanning
    the same book, or a file pasted twice, leave one row."""

    class Outcome(models.TextChoices):
        """What one scan found, for the scanner's answer (catalog.selectors.care)."""

        HERE = "here"  # catalogued on these shelves, and there
        AGAIN = "again"  # scanned before in this stocktake
        UNKNOWN = "unknown"  # no copy has the barcode
        ON_LOAN = "on_loan"  # the catalogue says it is lent
        MISPLACED = "misplaced"  # catalogued elsewhere
        STATUS = "status"  # the catalogue says lost, withdrawn, in repair, on the hold shelf
        REFUSED = "refused"  # not a barcode, or the stocktake is closed

    stocktake = models.ForeignKey(Stocktake, on_delete=models.PROTECT, related_name="scans")
    barcode = models.CharField(_("barcode"), max_length=32)
    scanned_at = models.DateTimeField(_("scanned at"), default=timezone.now)
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("stocktake scan")
        verbose_name_plural = _("stocktake scans")
        ordering = ["-scanned_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "barcode"], name="stocktake_scan_once_per_barcode"),
        ]

    def __str__(self) -> str:
        return self.barcode


class StocktakeLoss(models.Model):
    """A copy a confirmed stocktake found missing and declared lost: the stocktake's record of
    what it changed, kept after the copies' statuses move on."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.PROTECT, related_name="losses")
    copy = models.ForeignKey(Copy, on_delete=models.PROTECT, related_name="stocktake_losses")

    class Meta:
        verbose_name = _("copy lost in a stocktake")
        verbose_name_plural = _("copies lost in stocktakes")
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "copy"], name="stocktake_loss_once_per_copy"),
        ]

    def __str__(self) -> str:
        return f"{self.stocktake_id}: {self.copy_id}"


# --- textbooks (教材征订和发放) --------------------------------------------------------------------
# Classes are named here by grade and class number (三年级(2)班 is grade 3, class 2), as the
# circulation app's classes are: the catalogue imports no other app.


class TextbookTerm(models.Model):
    """A school term for which textbooks are ordered (2026 autumn term, 2027 spring term)."""

    class Season(models.TextChoices):
        AUTUMN = "autumn", _("Autumn term")
        SPRING = "spring", _("Spring term")

    year = models.PositiveSmallIntegerField(
        pgettext_lazy("calendar year", "year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    season = models.CharField(_("term"), max_length=6, choices=Season.choices)
    starts_on = models.DateField(_("term starts on"))
    ends_on = models.DateField(_("term ends on"))

    class Meta:
        verbose_name = _("textbook term")
        verbose_name_plural = _("textbook terms")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["year", "season"], name="textbook_term_unique_year_season"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="textbook_term_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_season_display()}"


class Textbook(models.Model):
    """A textbook (教材) of a subject and grade; a recycled one (循环教材) is lent to a class for
    the term and collected at its end."""

    title = models.CharField(_("title"), max_length=200)
    subject = models.CharField(_("subject"), max_length=50)
    grade = models.PositiveSmallIntegerField(
        _("grade"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True)
    price = models.DecimalField(
        _("price"), max_digits=8, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    is_recycled = models.BooleanField(_("recycled textbook (循环教材)"), default=False)

    class Meta:
        verbose_name = _("textbook")
        verbose_name_plural = _("textbooks")
        ordering = ["grade", "subject", "title"]

    def __str__(self) -> str:
        return self.title


class TextbookClassLine(models.Model):
    """So many copies of a textbook for one class of a grade (an order, a handover)."""

    grade = models.PositiveSmallIntegerField(
        _("grade"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    class_number = models.PositiveSmallIntegerField(_("class number"), validators=[MinValueValidator(1)])
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    class Meta:
        abstract = True

    @property
    def class_label(self) -> str:
        return class_name(self.grade, self.class_number)


class TextbookOrderLine(TextbookClassLine):
    """How many copies of a textbook a class needs for a term (征订)."""

    term = models.ForeignKey(
        TextbookTerm, verbose_name=_("term"), on_delete=models.PROTECT, related_name="order_lines"
    )
    textbook = models.ForeignKey(
        Textbook, verbose_name=_("textbook"), on_delete=models.PROTECT, related_name="order_lines"
    )
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ordered by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ordered_at = models.DateTimeField(_("ordered at"), default=timezone.now)

    class Meta:
        verbose_name = _("textbook order line")
        verbose_name_plural = _("textbook order lines")
        ordering = ["grade", "class_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "textbook", "grade", "class_number"], name="textbook_order_unique_class"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.textbook} × {self.quantity}"


class TextbookDelivery(models.Model):
    """Copies of a textbook the supplier delivered to the library for a term."""

    term = models.ForeignKey(
        TextbookTerm, verbose_name=_("term"), on_delete=models.PROTECT, related_name="deliveries"
    )
    textbook = models.ForeignKey(
        Textbook, verbose_name=_("textbook"), on_delete=models.PROTECT, related_name="deliveries"
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("textbook delivery")
        verbose_name_plural = _("textbook deliveries")
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.textbook} × {self.quantity}"


class TextbookHandover(TextbookClassLine):
    """Textbooks handed to a class (发放): to the class's teacher, who confirms receipt in their
    own page. A recycled textbook's handover is collected back at the end of the term, with the
    condition of what came back."""

    term = models.ForeignKey(
        TextbookTerm, verbose_name=_("term"), on_delete=models.PROTECT, related_name="handovers"
    )
    textbook = models.ForeignKey(
        Textbook, verbose_name=_("textbook"), on_delete=models.PROTECT, related_name="handovers"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("receiving teacher"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    handed_on = models.DateField(_("handed over on"), default=timezone.localdate)
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed over by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("receipt confirmed at"), null=True, blank=True)
    collected_on = models.DateField(_("collected on"), null=True, blank=True)
    collected_by = actor_field(_("collected by"))
    returned_good = models.PositiveIntegerField(_("back in good condition"), default=0)
    returned_worn = models.PositiveIntegerField(_("back worn"), default=0)
    returned_damaged = models.PositiveIntegerField(_("back damaged"), default=0)
    condition_note = models.CharField(_("condition note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("textbook handover")
        verbose_name_plural = _("textbook handovers")
        ordering = ["grade", "class_number", "pk"]

    def __str__(self) -> str:
        return f"{self.textbook} × {self.quantity}"

    @property
    def not_returned(self) -> int:
        if self.collected_on is None:
            return 0
        return self.quantity - self.returned_good - self.returned_worn - self.returned_damaged


# --- acquisitions ---------------------------------------------------------------------------------
# Purchase plans (图书采购计划) drafted by a librarian and approved by a leader, and deliveries
# (purchases against an approved plan, or donations) that put records and copies on the shelves
# and make the purchase register (D 购书情况登记表) and the donation register.


class PurchasePlan(models.Model):
    """A term's purchase plan: a budget and lines; draft → submitted → approved or rejected."""

    class Term(models.TextChoices):
        AUTUMN = "autumn", _("First term (autumn)")
        SPRING = "spring", _("Second term (spring)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(
        _("school year"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("The year the school year begins: 2026 for 2026–2027."),
    )
    term = models.CharField(_("term"), max_length=10, choices=Term.choices, default=Term.AUTUMN)
    budget = models.DecimalField(
        _("budget"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    notes = models.TextField(_("notes"), blank=True)
    # The one-time token of the form that created the plan: a double click makes one plan.
    form_token = models.CharField(max_length=32, unique=True, null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    created_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    created_by = actor_field(_("drafted by"))

    class Meta:
        verbose_name = _("purchase plan")
        verbose_name_plural = _("purchase plans")
        ordering = ["-year", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="purchase_plan_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def awaits_decision(self) -> bool:
        """Submitted: a leader approves or rejects it."""
        return self.status == self.Status.SUBMITTED

    @property
    def is_revisable(self) -> bool:
        """Rejected: the librarian may take it back to revise it."""
        return self.status == self.Status.REJECTED

    @property
    def is_receivable(self) -> bool:
        """Approved: books are received against it."""
        return self.status == self.Status.APPROVED

    @property
    def school_year(self) -> str:
        return f"{self.year}–{self.year + 1}"


class PurchasePlanLine(models.Model):
    """A title to buy: how many, at what price, from whom, and which class and subject it serves."""

    plan = models.ForeignKey(
        PurchasePlan, verbose_name=_("purchase plan"), on_delete=models.PROTECT, related_name="lines"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=300)
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True)
    author = models.CharField(_("author"), max_length=200, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(
        _("quantity"), validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    clc_code = models.CharField(_("CLC class number"), max_length=30, blank=True)
    subject = models.CharField(
        _("subject or major"), max_length=100, blank=True, help_text=_("The subject or major it serves.")
    )

    class Meta:
        verbose_name = _("purchase plan line")
        verbose_name_plural = _("purchase plan lines")
        ordering = ["plan", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="purchase_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="purchase_line_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def amount(self):
        return self.quantity * self.unit_price


class PurchasePlanEvent(models.Model):
    """The approval trail: every step of a plan, who took it, when, with their comment."""

    class Action(models.TextChoices):
        DRAFTED = "drafted", _("Drafted")
        EDITED = "edited", _("Edited")
        IMPORTED = "imported", _("Lines imported")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        REVISED = "revised", _("Taken back for revision")
        RECEIVED = "received", _("Delivery received")

    plan = models.ForeignKey(PurchasePlan, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("step"), max_length=10, choices=Action.choices)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("purchase plan step")
        verbose_name_plural = _("purchase plan steps")
        ordering = ["plan", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.action}"


class Delivery(models.Model):
    """Books received in one go: a purchase against an approved plan (with its supplier and
    invoice) or a donation (with its donor). One row of the purchase or donation register."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("Purchase")
        DONATION = "donation", _("Donation")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    plan = models.ForeignKey(
        PurchasePlan,
        verbose_name=_("purchase plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=60, blank=True)
    donor = models.CharField(_("donor"), max_length=100, blank=True)
    donor_class = models.CharField(
        _("donor's class"), max_length=50, blank=True, help_text=_("When the donor is a pupil.")
    )
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="deliveries"
    )
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    # The form's one-time token: a double click or a reloaded POST finds the delivery it made.
    token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["kind", "received_on"], name="delivery_kind_received")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="donation") | Q(plan__isnull=False), name="delivery_purchase_has_plan"
            ),
            models.CheckConstraint(
                condition=Q(kind="purchase") | ~Q(donor=""), name="delivery_donation_has_donor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.received_on}"

    @property
    def is_purchase(self) -> bool:
        return self.kind == self.Kind.PURCHASE


class DeliveryLine(models.Model):
    """A title received in a delivery: how many copies, at what price, the record they belong
    to, and the copies made."""

    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="lines")
    plan_line = models.ForeignKey(
        PurchasePlanLine, null=True, blank=True, on_delete=models.PROTECT, related_name="delivery_lines"
    )
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="delivery_lines")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(
        _("unit price"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    surplus = models.BooleanField(
        _("more than ordered"),
        default=False,
        help_text=_("The librarian accepted more than the plan ordered."),
    )
    copies = models.ManyToManyField(Copy, related_name="delivery_lines", blank=True)

    class Meta:
        verbose_name = _("delivery line")
        verbose_name_plural = _("delivery lines")
        ordering = ["delivery", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="delivery_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__isnull=True) | Q(unit_price__gte=0),
                name="delivery_line_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} × {self.quantity}"

    @property
    def amount(self):
        return self.quantity * (self.unit_price or 0)


# --- cover images (issue 19) ---------------------------------------------------------------------


class RecordCover(models.Model):
    """A record's cover, uploaded or photographed at cataloguing: checked, turned upright, and
    saved again by Pillow as two JPEGs (a large one for the record page, a small one for lists),
    which leaves the photo's metadata behind. Kept in the database like a note's photo (small,
    and backed up with the record); ``version`` changes with every new cover, so that its
    address can be cached for long."""

    record = models.OneToOneField(Record, on_delete=models.CASCADE, related_name="cover")
    large = models.BinaryField(_("large image"))
    large_width = models.PositiveIntegerField()
    large_height = models.PositiveIntegerField()
    small = models.BinaryField(_("small image"))
    small_width = models.PositiveIntegerField()
    small_height = models.PositiveIntegerField()
    version = models.PositiveIntegerField(default=1)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = actor_field(_("uploaded by"))

    class Meta:
        verbose_name = _("cover image")
        verbose_name_plural = _("cover images")

    def __str__(self) -> str:
        return f"{self.record_id} v{self.version}"
