"""Money (issue 14 point 10): charges (owed → paid / waived / cancelled), payments with their
receipt numbers, the yearly receipt counter, the damaged book's share and the fine's ceiling,
the policy's block while money is owed, and the desk's new actions. A lost book's compensation
still unpaid becomes an owed charge; those already paid stay as they were (paid before receipts
had numbers)."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def charges_from_compensations(apps, schema_editor):
    Compensation = apps.get_model("circulation", "Compensation")
    Charge = apps.get_model("circulation", "Charge")
    unpaid = Compensation.objects.filter(paid_at__isnull=True, amount__gt=0, loan__reader__isnull=False)
    Charge.objects.bulk_create(
        Charge(
            reader_id=compensation.loan.reader_id,
            loan_id=compensation.loan_id,
            copy_id=compensation.loan.copy_id,
            compensation=compensation,
            kind="lost",
            state="owed",
            amount=compensation.amount,
            rule=f"{compensation.price} × {compensation.multiplier}",
            created_at=compensation.recorded_at,
            created_by_id=compensation.recorded_by_id,
        )
        for compensation in unpaid.select_related("loan").order_by("pk")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0011_search_variant_forms"),
        ("circulation", "0012_issue_reservations_and_room_timetables"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReceiptCounter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(unique=True, verbose_name="year")),
                ("last", models.PositiveIntegerField(default=0, verbose_name="last number")),
            ],
            options={
                "verbose_name": "receipt counter",
                "verbose_name_plural": "receipt counters",
            },
        ),
        migrations.AddField(
            model_name="circulationsettings",
            name="damage_percent",
            field=models.PositiveSmallIntegerField(
                default=50,
                help_text="What the desk proposes for a damaged book, as a share of its price; the desk may change it.",
                validators=[django.core.validators.MaxValueValidator(300)],
                verbose_name="compensation for a damaged book (percent of the price)",
            ),
        ),
        migrations.AddField(
            model_name="circulationsettings",
            name="fine_max",
            field=models.DecimalField(
                decimal_places=2,
                default=0,
                help_text="A late book's fine stops growing at this amount; 0: no ceiling.",
                max_digits=6,
                validators=[django.core.validators.MinValueValidator(0)],
                verbose_name="most fine per book (yuan)",
            ),
        ),
        migrations.AddField(
            model_name="loanpolicy",
            name="block_on_money_owed",
            field=models.BooleanField(
                default=False,
                help_text="A compensation or fine not yet paid (nor waived) stops this group borrowing.",
                verbose_name="money owed blocks borrowing",
            ),
        ),
        migrations.AlterField(
            model_name="deskaction",
            name="action",
            field=models.CharField(
                choices=[
                    ("checkout", "Lend"),
                    ("return", "Return"),
                    ("renew", "Renew"),
                    ("lost", "Mark lost"),
                    ("undo", "Undo"),
                    ("hold", "Hold"),
                    ("scan", "Scan"),
                    ("suspension", "Suspension changed"),
                    ("charge", "Charge recorded"),
                    ("payment", "Payment taken"),
                    ("waive", "Charge waived"),
                    ("cancel", "Charge cancelled"),
                ],
                max_length=10,
                verbose_name="action",
            ),
        ),
        migrations.CreateModel(
            name="Payment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.CharField(max_length=20, unique=True, verbose_name="receipt number")),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("sequence", models.PositiveIntegerField(verbose_name="sequence")),
                (
                    "amount",
                    models.DecimalField(decimal_places=2, max_digits=10, verbose_name="amount (yuan)"),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[("cash", "Cash")], default="cash", max_length=10, verbose_name="paid by"
                    ),
                ),
                (
                    "taken_at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="taken at"
                    ),
                ),
                ("desk", models.CharField(blank=True, max_length=50, verbose_name="desk")),
                (
                    "reader",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payments",
                        to="circulation.reader",
                        verbose_name="reader",
                    ),
                ),
                (
                    "taken_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="taken by",
                    ),
                ),
            ],
            options={
                "verbose_name": "payment",
                "verbose_name_plural": "payments",
                "ordering": ["-taken_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="Charge",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("lost", "Lost book"), ("damaged", "Damaged book"), ("late", "Late fine")],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("owed", "Owed"),
                            ("paid", "Paid"),
                            ("waived", "Waived"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="owed",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(decimal_places=2, max_digits=10, verbose_name="amount (yuan)"),
                ),
                ("rule", models.CharField(blank=True, max_length=200, verbose_name="computed as")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="charged at"),
                ),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="settled at")),
                ("close_reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="settled by",
                    ),
                ),
                (
                    "compensation",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="charge",
                        to="circulation.compensation",
                        verbose_name="compensation",
                    ),
                ),
                (
                    "copy",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.copy",
                        verbose_name="copy",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="charged by",
                    ),
                ),
                (
                    "loan",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="charges",
                        to="circulation.loan",
                        verbose_name="loan",
                    ),
                ),
                (
                    "reader",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="charges",
                        to="circulation.reader",
                        verbose_name="reader",
                    ),
                ),
                (
                    "payment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="charges",
                        to="circulation.payment",
                        verbose_name="payment",
                    ),
                ),
            ],
            options={
                "verbose_name": "charge",
                "verbose_name_plural": "charges",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.UniqueConstraint(fields=("year", "sequence"), name="payment_receipt_sequence"),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gt", 0)), name="payment_amount_positive"
            ),
        ),
        migrations.AddIndex(
            model_name="charge",
            index=models.Index(fields=["reader", "state"], name="charge_reader_state"),
        ),
        migrations.AddConstraint(
            model_name="charge",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gt", 0)), name="charge_amount_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="charge",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("payment__isnull", False), ("state", "paid")),
                    models.Q(models.Q(("state", "paid"), _negated=True), ("payment__isnull", True)),
                    _connector="OR",
                ),
                name="charge_paid_with_payment",
            ),
        ),
        migrations.AddConstraint(
            model_name="charge",
            constraint=models.UniqueConstraint(
                condition=models.Q(("loan__isnull", False), models.Q(("state", "cancelled"), _negated=True)),
                fields=("loan", "kind"),
                name="charge_one_per_loan_and_kind",
            ),
        ),
        migrations.RunPython(charges_from_compensations, migrations.RunPython.noop),
    ]
