"""/drift/e-post/: e-mails given up after their retries, for system
administrators (core.models.mail.MailFailure; issue 16 §2)."""
