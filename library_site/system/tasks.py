import socket

from celery import shared_task

from .heartbeats import heartbeat_record


@shared_task(name="library_site.system.tasks.heartbeat_task", ignore_result=True)
def heartbeat_task() -> None:
    """Beat sends this every minute; the status page and /healthz read when it last ran."""
    heartbeat_record(hostname=socket.gethostname())


@shared_task(name="library_site.system.tasks.backup_task", bind=True)
def backup_task(self, param=None, job_run_id=None):
    """The nightly backup into BACKUP_DIR (verified as it is written), then the retention."""
    from .backups import backup_create, backups_prune
    from .jobs import job_run

    with job_run("backup", run_id=job_run_id, task_id=self.request.id, param=param) as run:
        made = backup_create()
        removed = backups_prune()
        run.result = {
            "file": made.path.name,
            "size": made.size,
            "tables": len(made.manifest["tables"]),
            "rows": sum(entry["rows"] for entry in made.manifest["tables"].values()),
            "verified": True,
            "removed": len(removed),
        }


@shared_task(name="library_site.system.tasks.job_leases_expire_task", ignore_result=True)
def job_leases_expire_task() -> list[int]:
    """Beat sends this every JOB_LEASE_SWEEP_SECONDS: runs whose worker was lost are failed."""
    from .jobs import job_runs_expire

    return job_runs_expire()


@shared_task(
    name="library_site.system.tasks.upload_preview_task",
    ignore_result=True,
    # A long parse (a 20 MB spreadsheet) is acknowledged when it ends: a worker killed in the
    # middle has it delivered again, and the page meanwhile sees the preview's lease run out.
    acks_late=True,
)
def upload_preview_task(token: str, *, language: str) -> None:
    """Build the preview of an uploaded file (library_site.documents.previews). Safe to run
    twice: a preview built already, or an upload gone or being saved, is left as it is."""
    from library_site.documents.previews import preview_build

    preview_build(token, language=language)
