"""In-app notifications, with an e-mail alongside each."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cxo.core.errors import NotFound
from cxo.core.models import Notification, Organisation, User


def absolute_url(path: str) -> str:
    """``path`` on this site as a link that works from an e-mail (``SITE_URL`` + path)."""
    if not path or "://" in path:
        return path
    return f"{settings.SITE_URL}{path}"


def notification_send(
    *,
    users: Iterable[User],
    organisation: Organisation | None,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = True,
    emails: Iterable[str] = (),
) -> list[Notification]:
    """Notify each user in the app and (after commit) by e-mail; ``emails`` adds addresses with no account."""
    notes = [
        Notification.objects.create(user=u, organisation=organisation, title=title[:255], body=body, url=url)
        for u in users
    ]
    if email:
        recipients = sorted({u.email for u in (n.user for n in notes) if u.email} | {e for e in emails if e})
        if recipients:
            message = f"{body}\n\n{absolute_url(url)}\n" if url else body
            transaction.on_commit(
                lambda: send_mail(
                    subject=title,
                    message=message,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=recipients,
                    fail_silently=True,
                )
            )
    return notes


def notification_list(*, user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.for_user(user).select_related("organisation")


def notification_unread(*, user: User) -> QuerySet[Notification]:
    """The user's notifications not read yet, newest first."""
    return notification_list(user=user).filter(read_at__isnull=True)


def notification_get(*, user: User, notification_id: int) -> Notification:
    """One of the user's own notifications; NotFound for anyone else's."""
    note = notification_list(user=user).filter(pk=notification_id).first()
    if note is None:
        raise NotFound("No such notification.")
    return note


def notification_mark_read(*, user: User, notification: Notification | None = None) -> int:
    """Mark the user's unread notifications read (only ``notification``, if given); the number marked."""
    unread = Notification.objects.for_user(user).filter(read_at__isnull=True)
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    return unread.update(read_at=timezone.now())
