"""Email over SMTP (aiosmtplib). The Message-ID is derived from the idempotency key, so
a resend after a crash carries the same Message-ID and mail clients show one message."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from app.notifications.channels.base import DeliveryError, Message
from app.settings import NotifySettings


class EmailSender:
    def __init__(self, settings: NotifySettings) -> None:
        self.settings = settings

    async def send(self, message: Message) -> None:
        settings = self.settings
        if not settings.smtp_host:
            raise DeliveryError("没有配置邮件服务器（SMTP_HOST）", permanent=True)
        email = EmailMessage()
        email["From"] = settings.smtp_from
        email["To"] = message.to
        email["Subject"] = message.title
        email["Date"] = formatdate(localtime=False)
        domain = settings.smtp_from.rpartition("@")[2].strip(" >") or "redstar.local"
        email["Message-ID"] = f"<{message.idempotency_key}@{domain}>"
        email.set_content(f"{message.body}\n\n{message.link}\n" if message.link else message.body)
        try:
            await aiosmtplib.send(
                email,
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_user or None,
                password=settings.smtp_password or None,
                start_tls=settings.smtp_starttls,
                timeout=20,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"邮箱地址被拒收：{exc}", permanent=True) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"邮件服务器未接收：{exc}") from exc
