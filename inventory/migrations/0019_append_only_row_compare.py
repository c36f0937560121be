"""The append-only check of item ledger and value entries compares rows, not JSON.

0002's trigger compared ``to_jsonb(OLD)`` with ``to_jsonb(NEW)`` less the mutable columns: 41 µs a
row, 3.8 s of the 9.8 s it took to flag the 94,258 inbound entries a per-item revaluation of the
million-entry benchmark touches. Copying the mutable columns of OLD into NEW and comparing the two
rows keeps what made the JSON check safe (every other column, including one added later, must
stay as it was) at 4 µs a row (docs/BENCHMARKS.md).
"""

from importlib import import_module

from django.db import migrations

first = import_module("inventory.migrations.0002_append_only_triggers")

ROW_CHECKED = ["inventory_valueentry", "inventory_itemledgerentry"]


def row_compare_sql(table: str, mutable: list[str]) -> str:
    keep = "".join(f"\n    kept.{col} := OLD.{col};" for col in mutable)
    return f"""
CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kept {table}%ROWTYPE;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '{table} is append-only: rows cannot be deleted'
            USING ERRCODE = 'check_violation';
    END IF;
    kept := NEW;{keep}
    IF kept IS DISTINCT FROM OLD THEN
        RAISE EXCEPTION '{table} is append-only: only ({", ".join(mutable)}) may change'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
"""


def json_compare_sql(table: str, mutable: list[str]) -> str:
    return first.forward_sql(table, mutable).split("CREATE TRIGGER")[0].replace(
        "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"
    )


class Migration(migrations.Migration):
    dependencies = [("inventory", "0018_ile_open_outbound_index")]

    operations = [
        migrations.RunSQL(
            "".join(row_compare_sql(table, first.LEDGERS[table]) for table in ROW_CHECKED),
            "".join(json_compare_sql(table, first.LEDGERS[table]) for table in ROW_CHECKED),
        )
    ]
