"""SQL twins of Python's ``Decimal`` arithmetic (40 significant digits, ``inventory.amounts``) so
that set-based statements compute the spec's divisions exactly as the Python code does.

``inventory_dec40(x)`` rounds to 40 significant digits; ``inventory_div40(a, b)`` is ``a / b``
and ``inventory_mul40(a, b)`` is ``a * b`` as a ``Decimal`` context of precision 40 gives them
(the quotient is first computed to 60 decimals). Plain SQL expressions: PostgreSQL inlines them.
"""

from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION inventory_dec40(x numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN x = 0 THEN x
        WHEN abs(x) >= 1 THEN round(x, 40 - length(trunc(abs(x))::text))
        ELSE round(x, 40 + length(substring(x::text from '\.(0*)')))
    END
$$;
CREATE OR REPLACE FUNCTION inventory_div40(a numeric, b numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT inventory_dec40(round(a, 60) / b)
$$;
CREATE OR REPLACE FUNCTION inventory_mul40(a numeric, b numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT inventory_dec40(a * b)
$$;
"""

DROP = """
DROP FUNCTION inventory_mul40(numeric, numeric);
DROP FUNCTION inventory_div40(numeric, numeric);
DROP FUNCTION inventory_dec40(numeric);
"""


class Migration(migrations.Migration):
    dependencies = [("inventory", "0007_ledger_protection")]

    operations = [migrations.RunSQL(FUNCTIONS, DROP)]
