from django.urls import path

from .views import acquisitions, care, labels, marc, opac, records, serials, settings, textbooks, transfer

app_name = "catalog"

urlpatterns = [
    # The public catalogue (OPAC)
    path("opac/", opac.search, name="opac"),
    path("opac/new/", opac.new_arrivals, name="opac-new"),
    path("opac/record/<int:pk>/", opac.record, name="opac-record"),
    path("opac/classes/", opac.classes, name="opac-classes"),
    path("opac/classes/<path:code>/", opac.classes, name="opac-class"),
    path("opac/opensearch.xml", opac.opensearch, name="opensearch"),
    # Cataloguing (librarians)
    path("catalog/", records.desk, name="cataloguing"),
    path("catalog/records/new/", records.record_create, name="record-create"),
    path("catalog/records/<int:pk>/", records.record_manage, name="record-manage"),
    path("catalog/records/<int:pk>/edit/", records.record_edit, name="record-edit"),
    path("catalog/records/<int:pk>/copies/", records.copies_add, name="copies-add"),
    # Labels (spine and barcode labels, a PDF for A4 label sheets)
    path("catalog/labels/", labels.labels, name="labels"),
    path("catalog/settings/", settings.catalog_settings, name="settings"),
    path("catalog/settings/label-sheets/new/", settings.label_sheet_create, name="label-sheet-create"),
    path("catalog/settings/label-sheets/<int:pk>/", settings.label_sheet_edit, name="label-sheet-edit"),
    # MARC import (librarians)
    path("catalog/import/marc/", marc.marc_import_page, name="marc-import"),
    path("catalog/export/marc/", marc.marc_export_page, name="marc-export"),
    # Import and export of records with their copies (.xlsx, .csv)
    path("catalog/import/", transfer.records_import, name="records-import"),
    path("catalog/import/preview/", transfer.records_import_preview, name="records-import-preview"),
    path("catalog/import/confirm/", transfer.records_import_confirm, name="records-import-confirm"),
    path("catalog/import/cancel/", transfer.records_import_cancel, name="records-import-cancel"),
    path("catalog/import/template.xlsx", transfer.records_import_template, name="records-import-template"),
    path("catalog/export/", transfer.records_export, name="records-export"),
    # Newspapers and periodicals: subscriptions, check-in, claims, binding
    path("catalog/serials/", serials.serials_home, name="serials"),
    path("catalog/serials/new/", serials.serial_create, name="serial-create"),
    path("catalog/serials/subscriptions/new/", serials.subscription_create, name="subscription-create"),
    path("catalog/serials/subscriptions/<int:pk>/", serials.subscription_detail, name="subscription"),
    path("catalog/serials/check-in/", serials.serials_checkin, name="serials-checkin"),
    path("catalog/serials/missing/", serials.serials_missing, name="serials-missing"),
    # Textbooks: orders by class, deliveries, handovers confirmed by teachers, recycled ones
    path("catalog/textbooks/", textbooks.textbooks_home, name="textbooks"),
    path("catalog/textbooks/terms/new/", textbooks.textbook_term_create, name="textbook-term-create"),
    path("catalog/textbooks/new/", textbooks.textbook_create, name="textbook-create"),
    path(
        "catalog/textbooks/handovers/<int:pk>/collect/", textbooks.textbook_collect, name="textbook-collect"
    ),
    path("textbooks/mine/", textbooks.textbooks_mine, name="textbooks-mine"),
]

# Collection care: repairs, write-offs and weeding, stocktaking (librarians; approval: administrator)
urlpatterns += [
    path("catalog/repairs/", care.repairs, name="repairs"),
    path("catalog/repairs/<int:pk>/close/", care.repair_close, name="repair-close"),
    path("catalog/write-offs/", care.write_offs, name="write-offs"),
    path("catalog/write-offs/<int:pk>/", care.write_off, name="write-off"),
    path("catalog/write-offs/<int:pk>/decide/", care.write_off_decide, name="write-off-decide"),
    path("catalog/write-offs/<int:pk>/print/", care.write_off_print, name="write-off-print"),
    path("catalog/weeding/", care.weeding, name="weeding"),
    path("catalog/stocktakes/", care.stocktakes, name="stocktakes"),
    path("catalog/stocktakes/<int:pk>/", care.stocktake, name="stocktake"),
    path("catalog/stocktakes/<int:pk>/scan/", care.stocktake_scan, name="stocktake-scan"),
    path("catalog/stocktakes/<int:pk>/upload/", care.stocktake_upload, name="stocktake-upload"),
    path("catalog/stocktakes/<int:pk>/confirm/", care.stocktake_confirm, name="stocktake-confirm"),
]

# Acquisitions: purchase plans and their approval, receiving, donations, the registers
urlpatterns += [
    path("catalog/plans/", acquisitions.plans, name="purchase-plans"),
    path("catalog/plans/new/", acquisitions.plan_create, name="purchase-plan-create"),
    path("catalog/plans/template.xlsx", acquisitions.plan_template, name="purchase-plan-template"),
    path("catalog/plans/<int:pk>/", acquisitions.plan_detail, name="purchase-plan"),
    path("catalog/plans/<int:pk>/edit/", acquisitions.plan_edit, name="purchase-plan-edit"),
    path("catalog/plans/<int:pk>/import/", acquisitions.plan_import, name="purchase-plan-import"),
    path("catalog/plans/<int:pk>/submit/", acquisitions.plan_submit, name="purchase-plan-submit"),
    path("catalog/plans/<int:pk>/revise/", acquisitions.plan_revise, name="purchase-plan-revise"),
    path("catalog/plans/<int:pk>/decide/", acquisitions.plan_decide, name="purchase-plan-decide"),
    path("catalog/plans/<int:pk>/receive/", acquisitions.plan_receive, name="purchase-plan-receive"),
    path("catalog/donations/new/", acquisitions.donation_create, name="donation-create"),
    path("catalog/deliveries/<int:pk>/", acquisitions.delivery, name="delivery"),
    path("catalog/acquisitions/registers/", acquisitions.registers, name="acquisition-registers"),
]

# --- cover images (issue 19) ---
from .views import covers  # noqa: E402

urlpatterns += [
    path("opac/record/<int:pk>/cover/<str:size>.jpg", covers.record_cover, name="record-cover"),
    path("opac/record/<int:pk>/cover.svg", covers.record_cover_placeholder, name="record-cover-placeholder"),
    path("catalog/records/<int:pk>/cover/", covers.record_cover_upload, name="record-cover-upload"),
]
