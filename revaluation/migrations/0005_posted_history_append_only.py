"""The posted revaluations are history like the ledgers: no UPDATE, DELETE or TRUNCATE
(the ``ledger_no_truncate`` function is inventory migration 0007's)."""

from django.db import migrations

TABLES = ["revaluation_postedrevaluation", "revaluation_postedrevaluationline"]


def forward_sql(table: str) -> str:
    return f"""
CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only: rows cannot be changed or deleted'
        USING ERRCODE = 'check_violation';
END;
$$;
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_no_truncate();
"""


def backward_sql(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP FUNCTION IF EXISTS {table}_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("revaluation", "0004_batch_name_rule"),
        ("inventory", "0007_ledger_protection"),
    ]

    operations = [
        migrations.RunSQL(
            "".join(forward_sql(table) for table in TABLES),
            "".join(backward_sql(table) for table in TABLES),
        )
    ]
