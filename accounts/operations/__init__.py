"""The operations pages for the system administrator (issue 16 §4): /drift/
links to the scheduled jobs (/drift/jobb/, here), the detailed status and
the failed e-mails (their own parts)."""
