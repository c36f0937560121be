"""The ledgers refuse TRUNCATE as they refuse DELETE; the ledger counters only count up; a
location or item variant that ledger entries name cannot be deleted or renamed; the fields that
posting maintains stay within their legal ranges (CHECK constraints of the models).

TRUNCATE skips row triggers, so each ledger table also gets a statement trigger. A superuser can
still empty the tables in replica mode (``SET session_replication_role = replica``, in which
ordinary triggers do not fire), as the test suite's teardown does.
"""

from django.db import migrations, models

LEDGER_TABLES = [
    "inventory_itemregister",
    "inventory_itemledgerentry",
    "inventory_valueentry",
    "inventory_itemapplicationentry",
    "inventory_ledgercounter",
]

NO_TRUNCATE_FUNCTION = """
CREATE FUNCTION ledger_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: it cannot be truncated', TG_TABLE_NAME
        USING ERRCODE = 'check_violation';
END;
$$;
"""


def no_truncate_sql(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION ledger_no_truncate();"
    )


def drop_no_truncate_sql(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};"


COUNTER_SQL = """
CREATE FUNCTION inventory_ledgercounter_count_up() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'inventory_ledgercounter is append-only: rows cannot be deleted'
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.name IS DISTINCT FROM OLD.name OR NEW.last_no < OLD.last_no THEN
        RAISE EXCEPTION 'inventory_ledgercounter is append-only: last_no may only grow'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER inventory_ledgercounter_count_up BEFORE UPDATE OR DELETE
    ON inventory_ledgercounter FOR EACH ROW EXECUTE FUNCTION inventory_ledgercounter_count_up();
"""

IN_USE_SQL = """
CREATE FUNCTION inventory_location_in_use() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'DELETE' OR NEW.code IS DISTINCT FROM OLD.code) AND EXISTS (
        SELECT 1 FROM inventory_itemledgerentry WHERE location_code = OLD.code
    ) THEN
        RAISE EXCEPTION 'location % has ledger entries: it cannot be deleted or renamed', OLD.code
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
CREATE TRIGGER inventory_location_in_use BEFORE UPDATE OR DELETE ON inventory_location
    FOR EACH ROW EXECUTE FUNCTION inventory_location_in_use();

CREATE FUNCTION inventory_itemvariant_in_use() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'DELETE' OR NEW.code IS DISTINCT FROM OLD.code
            OR NEW.item_id IS DISTINCT FROM OLD.item_id) AND EXISTS (
        SELECT 1 FROM inventory_itemledgerentry
        WHERE item_id = OLD.item_id AND variant_code = OLD.code
    ) THEN
        RAISE EXCEPTION 'variant % of item % has ledger entries: it cannot be deleted or changed',
            OLD.code, OLD.item_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
CREATE TRIGGER inventory_itemvariant_in_use BEFORE UPDATE OR DELETE ON inventory_itemvariant
    FOR EACH ROW EXECUTE FUNCTION inventory_itemvariant_in_use();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS inventory_itemvariant_in_use ON inventory_itemvariant;
DROP FUNCTION IF EXISTS inventory_itemvariant_in_use();
DROP TRIGGER IF EXISTS inventory_location_in_use ON inventory_location;
DROP FUNCTION IF EXISTS inventory_location_in_use();
DROP TRIGGER IF EXISTS inventory_ledgercounter_count_up ON inventory_ledgercounter;
DROP FUNCTION IF EXISTS inventory_ledgercounter_count_up();
"""


class Migration(migrations.Migration):
    dependencies = [("inventory", "0006_batch_name_and_code_rules")]

    operations = [
        migrations.RunSQL(
            NO_TRUNCATE_FUNCTION + "\n".join(no_truncate_sql(table) for table in LEDGER_TABLES),
            "\n".join(drop_no_truncate_sql(table) for table in LEDGER_TABLES)
            + "\nDROP FUNCTION IF EXISTS ledger_no_truncate();",
        ),
        migrations.RunSQL(COUNTER_SQL + IN_USE_SQL, DROP_SQL),
        migrations.AddConstraint(
            model_name="itemledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(positive=True, remaining_quantity__lte=models.F("quantity"))
                | models.Q(positive=False, remaining_quantity__gte=models.F("quantity")),
                name="ile_remaining_within_quantity",
            ),
        ),
        migrations.AddConstraint(
            model_name="itemledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    positive=True,
                    invoiced_quantity__gte=0,
                    invoiced_quantity__lte=models.F("quantity"),
                )
                | models.Q(
                    positive=False,
                    invoiced_quantity__lte=0,
                    invoiced_quantity__gte=models.F("quantity"),
                ),
                name="ile_invoiced_within_quantity",
            ),
        ),
    ]
