"""Server-side drafts of long free-text forms (issue 12 §4): text is never
lost when the session ends while a user writes.

A form declares `draft_fields`; its template includes
`includes/draft.html` inside the <form>; static/js/drafts.js autosaves the
fields to `accounts:draft_save` while the user types. The draft belongs to
its writer only, is restored when the same form page is opened again and is
deleted when the form is saved (middleware.DraftMiddleware) or after
DRAFT_RETENTION_DAYS (tasks.purge_drafts). See docs/architecture.md
"Drafts and the session warning" and docs/access.md "Drafts".
"""
