import os
import time

import pytest

from catalog.tasks import imports_purge_task
from library_site.system.models import JobRun


@pytest.mark.django_db
def test_abandoned_uploads_are_purged_after_a_day_and_fresh_ones_kept(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    imports = tmp_path / "imports"
    imports.mkdir()
    old_sheet, new_sheet = imports / "oldsheet", imports / "newsheet"
    old_marc, new_marc = imports / "oldmarc", imports / "newmarc"
    for folder, name in (
        (old_sheet, "upload.xlsx"),
        (new_sheet, "upload.xlsx"),
        (old_marc, "upload.marc"),
        (new_marc, "upload.marc"),
    ):
        folder.mkdir()
        (folder / name).write_bytes(b"x")
    two_days_ago = time.time() - 2 * 24 * 60 * 60
    for path in (old_sheet, old_marc):
        os.utime(path, (two_days_ago, two_days_ago))

    imports_purge_task.apply().get()

    assert sorted(item.name for item in imports.iterdir()) == ["newmarc", "newsheet"]
    assert JobRun.objects.get(key="purge_imports").result == {"removed": 2}
