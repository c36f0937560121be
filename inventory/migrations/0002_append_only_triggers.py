"""PostgreSQL triggers that make the ledgers append-only (the guarantee; models only warn early).

Value entries may change only their valuation date and G/L tracking fields; item ledger entries
only the fields posting maintains (COSTING-SPEC §2.3); registers and application entries never.
No ledger row can be deleted.
"""

from django.db import migrations

# table -> columns that may change after insert
LEDGERS = {
    "inventory_itemregister": [],
    "inventory_itemapplicationentry": [],
    "inventory_valueentry": ["valuation_date", "cost_posted_to_gl", "expected_cost_posted_to_gl"],
    "inventory_itemledgerentry": [
        "remaining_quantity",
        "open",
        "invoiced_quantity",
        "completely_invoiced",
        "last_invoice_date",
        "applied_entry_to_adjust",
    ],
}


def forward_sql(table: str, mutable: list[str]) -> str:
    strip = "".join(f" - '{col}'" for col in mutable)
    return f"""
CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '{table} is append-only: rows cannot be deleted'
            USING ERRCODE = 'check_violation';
    END IF;
    IF (to_jsonb(OLD){strip}) IS DISTINCT FROM (to_jsonb(NEW){strip}) THEN
        RAISE EXCEPTION '{table} is append-only: only ({', '.join(mutable) or 'nothing'}) may change'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
"""


def backward_sql(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP FUNCTION IF EXISTS {table}_append_only();
"""


def apply(forward: bool):
    def run(apps, schema_editor):
        for table, mutable in LEDGERS.items():
            schema_editor.execute(forward_sql(table, mutable) if forward else backward_sql(table))

    return run


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(apply(True), apply(False))]
