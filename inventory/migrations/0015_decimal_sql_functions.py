"""SQL twins of Python's ``Decimal`` arithmetic (40 significant digits, ``inventory.amounts``) so
that set-based statements compute the spec's divisions exactly as the Python code does.

``inventory_dec40(x)`` rounds to 40 significant digits; ``inventory_div40(a, b)`` is ``a / b``
and ``inventory_mul40(a, b)`` is ``a * b`` as a ``Decimal`` context of precision 40 gives them
(the quotient is first computed to 60 decimals).
"""

from django.db import migrations

# The decimal places that keep 40 significant digits: found by comparisons for magnitudes from
# 1e-16 to 1e17 (cheap), by the length of the digits otherwise. PL/pgSQL evaluates the argument
# once (an inlined SQL function would repeat the division in every comparison).
LADDER = "\n".join(
    f"        WHEN ax >= 1e{power} THEN round(x, {39 - power})" for power in range(16, -17, -1)
)

FUNCTIONS = rf"""
CREATE OR REPLACE FUNCTION inventory_dec40(x numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    ax numeric := abs(x);
BEGIN
    RETURN CASE
        WHEN ax = 0 THEN x
        WHEN ax >= 1e17 THEN round(x, 40 - length(trunc(ax)::text))
{LADDER}
        ELSE round(x, 40 + length(substring(x::text from '\.(0*)')))
    END;
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
    dependencies = [("inventory", "0014_translated_model_names")]

    operations = [migrations.RunSQL(FUNCTIONS, DROP)]
