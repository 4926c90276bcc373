"""On PostgreSQL, refuse UPDATE and DELETE of audit events in the database itself.

TRUNCATE is left to the database owner: it is how test runs and a deliberate reset empty tables,
and it needs table-owner rights that the application role should not have in production.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION cxo_audit_event_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditevent is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION cxo_audit_event_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS cxo_audit_event_immutable();
"""


# params=None: the function body's RAISE format uses '%', which must not be read as a query placeholder.
def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
