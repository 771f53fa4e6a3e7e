"""Database triggers that make a table append-only on PostgreSQL: UPDATE and DELETE are refused from any client
(the admin, a shell, a psql session of the application's role). SQLite, the zero-setup default, relies on the
models' own guards. Used by migrations (audit 0002, appeals 0011)."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION qinqing_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'qinqing: % is append-only (审计记录不可修改或删除)', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""


def append_only(table: str) -> migrations.RunPython:
    def forward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(FUNCTION, params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION qinqing_append_only()"
        )

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")

    return migrations.RunPython(forward, backward)
