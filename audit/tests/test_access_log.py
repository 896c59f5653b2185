

def test_a_list_page_is_logged_once_per_client_or_once_when_it_names_nobody(db, case_officer, client_record):
    from audit.context import AuditContext
    from audit.models import AccessLogEntry
    from audit.services import log_list_access

    ctx = AuditContext(user=case_officer, path="/lista/", ip_address="127.0.0.1")

    log_list_access(ctx, [client_record, client_record], object_type="test.list", note="sida 1")
    log_list_access(ctx, [], object_type="test.list", note="tom sida")

    rows = list(AccessLogEntry.objects.filter(object_type="test.list").order_by("pk"))
    assert [(row.client_id, row.note) for row in rows] == [(client_record.pk, "sida 1"), (None, "tom sida")]
    assert rows[0].client_label == client_record.audit_label
