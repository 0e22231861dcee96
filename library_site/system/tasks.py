import socket

from celery import shared_task

from .health import heartbeat_record


@shared_task(name="library_site.system.tasks.heartbeat_task", ignore_result=True)
def heartbeat_task() -> None:
    """Beat sends this every minute; the status page and /healthz read when it last ran."""
    heartbeat_record(hostname=socket.gethostname())
