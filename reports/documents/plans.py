"""A work plan as a printable A4 PDF (reportlab, the embedded Chinese font of
``library_site/documents/pdf.py``): the aims, the measures, the targets with the figure to reach
and how each is measured, and the approval — who drafted, submitted and approved it, and when.
Drawn from ``reports.selectors.plans.PlanDocument``; it reads nothing else."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer

from library_site.dates import datetime_text
from library_site.system.templatetags.punctuation import comma

from ..models import WorkPlan
from ..selectors.plans import PlanDocument
from .a4 import CONTENT_WIDTH, a4_pdf, figures_table, paragraph_styles, paragraph_text, report_font

NOT_YET = "—"


def _who_when(user, when) -> str:
    if user is None and when is None:
        return NOT_YET
    name = user.display_name if user is not None else NOT_YET
    return f"{name}{comma()}{datetime_text(when)}" if when else name


def _state_line(plan: WorkPlan) -> str:
    if plan.status == WorkPlan.Status.APPROVED:
        return _("Approved by %(name)s on %(when)s.") % {
            "name": plan.decided_by.display_name,
            "when": datetime_text(plan.decided_at),
        }
    return _("Not approved yet (%(state)s): this copy is for discussion.") % {
        "state": plan.get_status_display()
    }


def work_plan_pdf(document: PlanDocument) -> bytes:
    plan = document.plan
    font = report_font()
    styles = paragraph_styles(font)
    school = document.school or _("School library")
    scope = f"{plan.get_kind_display()} · {document.years}"
    if plan.term:
        scope += f" · {plan.term.name}"
    story: list = [
        Paragraph(paragraph_text(school), styles["subtitle"]),
        Paragraph(paragraph_text(plan.title), styles["title"]),
        Paragraph(paragraph_text(scope), styles["subtitle"]),
        Spacer(1, 3 * mm),
        Paragraph(
            paragraph_text(_state_line(plan)),
            styles["note"] if plan.status == WorkPlan.Status.APPROVED else styles["warning"],
        ),
        Paragraph(paragraph_text(_("Aims")), styles["heading"]),
        Paragraph(paragraph_text(plan.aims or NOT_YET), styles["body"]),
        Paragraph(paragraph_text(_("Measures")), styles["heading"]),
        Paragraph(paragraph_text(plan.measures or NOT_YET), styles["body"]),
        Paragraph(paragraph_text(_("Targets")), styles["heading"]),
    ]
    if document.lines:
        rows = [[pgettext("ordinal", "No."), _("Target"), _("Goal"), _("How it is measured")]]
        for number, line in enumerate(document.lines, start=1):
            how = paragraph_text(line.measure_label)
            if line.how:
                how += f'<br/><font color="#555555">{paragraph_text(line.how)}</font>'
            rows.append(
                [
                    str(number),
                    Paragraph(paragraph_text(line.name), styles["cell"]),
                    Paragraph(paragraph_text(line.goal), styles["cell"]),
                    Paragraph(how, styles["cell"]),
                ]
            )
        widths = [10 * mm, 58 * mm, 22 * mm, CONTENT_WIDTH - 90 * mm]
        table = figures_table(font, rows, widths, numeric_from=99)
        table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 1), (0, -1), "RIGHT")])
        story.append(table)
    else:
        story.append(Paragraph(paragraph_text(_("No targets.")), styles["body"]))
    approval = [
        [_("Step"), _("Who and when")],
        [
            _("Drafted"),
            Paragraph(paragraph_text(_who_when(plan.created_by, plan.created_at)), styles["cell"]),
        ],
        [
            _("Submitted"),
            Paragraph(paragraph_text(_who_when(plan.submitted_by, plan.submitted_at)), styles["cell"]),
        ],
    ]
    if plan.status == WorkPlan.Status.APPROVED:
        approval.append(
            [
                _("Approved"),
                Paragraph(paragraph_text(_who_when(plan.decided_by, plan.decided_at)), styles["cell"]),
            ]
        )
    elif plan.status == WorkPlan.Status.RETURNED:
        approval.append(
            [
                _("Returned for changes"),
                Paragraph(paragraph_text(_who_when(plan.decided_by, plan.decided_at)), styles["cell"]),
            ]
        )
    else:
        approval.append([_("Approved"), NOT_YET])
    if plan.decision_comment:
        approval.append([_("Comment"), Paragraph(paragraph_text(plan.decision_comment), styles["cell"])])
    approval_table = figures_table(font, approval, [40 * mm, CONTENT_WIDTH - 40 * mm], numeric_from=99)
    story.append(
        KeepTogether(
            [Paragraph(paragraph_text(_("Approval")), styles["heading"]), approval_table, Spacer(1, 10 * mm)]
        )
    )
    if plan.status != WorkPlan.Status.APPROVED:
        story.append(
            Paragraph(
                paragraph_text(_("School leader's signature: ____________________    Date: ____________")),
                styles["body"],
            )
        )
    return a4_pdf(
        story,
        font=font,
        title=plan.title,
        school=school,
        footer_left=f"{school} · {plan.title}",
    )
