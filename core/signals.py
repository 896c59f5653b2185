"""Signals between apps that must not import each other.

Culling (the `culling` app, the highest layer) deletes a person's records in
every app; the apps below it react without culling knowing them:

- `culling_about_to_start` is sent once before a culling run executes, with
  `run_id`. The reports app freezes the KPI figures of every closed year
  (docs/culling.md "Closed years do not change"), so that removing records
  cannot change a figure already reported.
- `client_culled` is sent inside the transaction that removed one person,
  with `client_id` and `reference` (the culling reference, no personal
  data). The audit app replaces the person's name and number snapshots in
  the access log and the values in the change history by the reference.

- `records_updated` is sent by a service that writes records the KPI
  figures count with QuerySet.update() (which sends no post_save), with
  `model` as sender and `pks`, inside the writing transaction: the reports
  app marks the kept figures of those records' closed years stale
  (reports.invalidation, issue 16).

A receiver that raises makes the run (or the person's transaction) fail:
that is the point, nothing is culled half.
"""

from django.dispatch import Signal

culling_about_to_start = Signal()
client_culled = Signal()
records_updated = Signal()
