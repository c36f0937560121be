"""Issue 12 §5: English and Dutch. The language is the user's own choice; numbers are shown and
read in the language's notation; every marked string has its Dutch translation."""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from inventory.display import amount, plain_decimal
from inventory.gl_accounts import setup_row
from inventory.models import CostingMethod, GeneralPostingSetup, InventoryPostingSetup
from inventory.numbers import NumberError, parse_decimal
from revaluation.models import RevaluationLine, UserPreference
from tests.factories import ItemFactory
from tests.markup import element, text_of
from tests.posting import day
from tests.revaluation.test_explain import calculate
from tests.revaluation.test_views import (  # noqa: F401
    HTMX,
    batch,
    calculate_data,
    edit_url,
    journal_url,
    line,
)

BASE_DIR = Path(__file__).resolve().parent.parent
PO = BASE_DIR / "locale" / "nl" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("en", "1,234.56", D("1234.56")),
        ("en", "1234.5", D("1234.5")),
        ("en", "12,345,678", D("12345678")),
        ("nl", "1.234,56", D("1234.56")),
        ("nl", "1234,5", D("1234.5")),
        ("nl", "1.234", D("1234")),  # a thousands point, as Business Central reads it
        ("nl", ",25", D("0.25")),
        ("nl", "", None),
    ],
)
def test_typed_numbers_are_read_in_the_language_s_notation(language, text, expected):
    with translation.override(language):
        assert parse_decimal(text, localized=True) == expected


@pytest.mark.parametrize(
    "language, text, message",
    [
        # the other language's decimal separator is refused, never guessed
        ("nl", "12.50", "'12.50' is geen eenvoudig getal: gebruik cijfers 0-9, ',' voor decimalen"),
        ("nl", "1,234.56", "'1,234.56' is geen eenvoudig getal"),
        ("en", "1.234,56", "'1.234,56' is not a plain number: use digits 0-9, '.' for decimals"),
        ("en", "1,23", "and ',' only between groups of three digits (1,234.56)."),
        ("en", "1e3", "'1e3' is not a plain number"),
    ],
)
def test_other_notations_are_refused_with_the_rule(language, text, message):
    with translation.override(language), pytest.raises(NumberError) as refused:
        parse_decimal(text, localized=True)
    assert message in refused.value.message


def test_files_and_commands_stay_plain_whatever_the_language():
    with (
        translation.override("nl"),
        pytest.raises(NumberError, match="alleen cijfers 0-9 en een punt"),
    ):
        parse_decimal("1,5")
    with translation.override("nl"):
        assert parse_decimal("1.5") == D("1.5")


def test_amounts_are_shown_in_the_language_s_notation():
    assert (amount(D("1234567.5")), plain_decimal(D("1234.5"))) == ("1,234,567.50", "1234.50")
    with translation.override("nl"):
        assert (amount(D("1234567.5")), plain_decimal(D("1234.5"))) == ("1.234.567,50", "1234,50")


# --------------------------------------------------------------------------- the user's language


def test_the_language_is_remembered_for_the_user(accountant_client, accountant, batch):  # noqa: F811
    page = accountant_client.get(journal_url()).content.decode()
    assert "<h1>Revaluation journal REVAL</h1>" in page
    assert 'lang="en"' in page

    response = accountant_client.post(
        reverse("set-language"), {"language": "nl", "next": journal_url()}
    )
    assert response.status_code == 302
    assert response["Location"] == journal_url()
    assert UserPreference.objects.get(user=accountant).language == "nl"

    page = accountant_client.get(journal_url()).content.decode()
    assert "<h1>Herwaarderingsdagboek REVAL</h1>" in page
    assert '<html lang="nl">' in page
    assert "Voorraadwaarde berekenen" in page

    # signed in again elsewhere (a fresh session, no language cookie): still Dutch
    accountant_client.logout()
    accountant_client.cookies.clear()
    accountant_client.force_login(accountant)
    page = accountant_client.get(journal_url()).content.decode()
    assert "<h1>Herwaarderingsdagboek REVAL</h1>" in page


def test_an_unknown_language_changes_nothing(accountant_client, accountant):
    accountant_client.post(reverse("set-language"), {"language": "xx", "next": "/"})
    assert not UserPreference.objects.filter(user=accountant).exists()


def test_the_login_page_follows_the_browser(client):
    page = client.get(reverse("login"), headers={"Accept-Language": "nl"}).content.decode()
    assert '<html lang="nl">' in page


# --------------------------------------------------------------------------- the Dutch grid


@pytest.fixture
def dutch_client(accountant_client, accountant):
    UserPreference.objects.create(user=accountant, language="nl")
    accountant_client.force_login(accountant)  # the preference is read at sign-in
    return accountant_client


def test_a_dutch_number_typed_in_the_grid_is_saved(dutch_client, line):  # noqa: F811
    """Line: quantity 15, IV (Calculated) 170.00. Unit cost 1.234,5 -> IV 15 x 1234.5 =
    18,517.50, amount 18,517.50 - 170.00 = 18,347.50, all shown the Dutch way."""
    response = dutch_client.post(
        edit_url(line),
        {"version": "1", "field": "unit_cost_revalued", "unit_cost_revalued": "1.234,5"},
        headers=HTMX,
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert response["X-Saved-Value"] == "1234,50"
    assert 'value="18517,50"' in element(content, f"line-{line.pk}-inventory-value-revalued")
    assert text_of(content, f"line-{line.pk}-amount") == "18.347,50"
    line.refresh_from_db()
    assert (line.unit_cost_revalued, line.inventory_value_revalued, line.amount) == (
        D("1234.5"),
        D("18517.50"),
        D("18347.50"),
    )


def test_an_english_number_in_the_dutch_grid_is_refused_at_the_cell(dutch_client, line):  # noqa: F811
    response = dutch_client.post(
        edit_url(line),
        {"version": "1", "field": "unit_cost_revalued", "unit_cost_revalued": "12.50"},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert text_of(response.content, f"line-{line.pk}-unit-cost-revalued-error").startswith(
        "'12.50' is geen eenvoudig getal: gebruik cijfers 0-9, ',' voor decimalen"
    )
    line.refresh_from_db()
    assert line.version == 1


def test_a_cleared_cell_is_zero_as_in_business_central(accountant_client, line):  # noqa: F811
    response = accountant_client.post(
        edit_url(line),
        {"version": "1", "field": "inventory_value_revalued", "inventory_value_revalued": " "},
        headers=HTMX,
    )
    assert response.status_code == 200
    line.refresh_from_db()
    assert (line.inventory_value_revalued, line.unit_cost_revalued, line.amount) == (
        D("0"),
        D("0"),
        D("-170.00"),
    )


# --------------------------------------------------------------------------- absurd unit costs


@pytest.mark.parametrize(
    "typed, warning",
    [
        # Unit Cost (Calculated) 170.00 / 15 = 11.33333; 100 x = 1,133.333
        ("123456789012", "Check: more than 100 times the calculated unit cost (11.33333)."),
        ("1134", "Check: more than 100 times the calculated unit cost (11.33333)."),
        ("1133", ""),
        ("0.12", ""),  # 0.12 x 100 = 12 >= 11.33333
        ("0.11", "Check: less than 1/100 of the calculated unit cost (11.33333)."),
        ("0", ""),  # a write-off, which has its own note
    ],
)
def test_an_absurd_unit_cost_is_saved_with_a_warning(accountant_client, line, typed, warning):  # noqa: F811
    response = accountant_client.post(
        edit_url(line),
        {"version": "1", "field": "unit_cost_revalued", "unit_cost_revalued": typed},
        headers=HTMX,
    )
    assert response.status_code == 200
    slot = f"line-{line.pk}-unit-cost-revalued-error"
    assert text_of(response.content, slot) == warning
    line.refresh_from_db()
    assert line.unit_cost_revalued == D(typed)
    # the page shows it too, next to the cell, as a warning (not an error)
    page = accountant_client.get(journal_url()).content.decode()
    assert text_of(page, slot) == warning
    if warning:
        assert 'class="field-warning"' in element(page, slot)


def test_the_warning_is_dutch_for_a_dutch_user(dutch_client, line):  # noqa: F811
    response = dutch_client.post(
        edit_url(line),
        {"version": "1", "field": "unit_cost_revalued", "unit_cost_revalued": "2.000"},
        headers=HTMX,
    )
    assert text_of(response.content, f"line-{line.pk}-unit-cost-revalued-error") == (
        "Controleer: meer dan 100 keer de berekende kostprijs (11,33333)."
    )


# --------------------------------------------------------------------------- the catalogue


def _gettext_tool(name: str) -> str:
    tool = shutil.which(name)
    assert tool, f"{name} (GNU gettext) is needed: apt-get install gettext"
    return tool


def test_every_marked_string_has_its_dutch_translation(tmp_path):
    """makemessages on a copy of the project: a string marked since the last translation run
    (or left fuzzy) fails here, named."""
    # the whole project (apps added later included), without what makemessages must not scan
    project = tmp_path / "project"
    skip = (".*", "__pycache__", "var", "staticfiles", "tests", "bench", "docs", "*.png")
    shutil.copytree(BASE_DIR, project, ignore=shutil.ignore_patterns(*skip))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "revaluation.settings",
        # settings need a server address; makemessages never connects
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "PYTHONPATH": str(project),
    }
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nl", "--no-location", "-v", "0"],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = project / "locale" / "nl" / "LC_MESSAGES" / "django.po"
    msgattrib = _gettext_tool("msgattrib")
    for option in ("--untranslated", "--only-fuzzy"):
        left = subprocess.run(
            [msgattrib, option, "--no-obsolete", "--no-wrap", str(fresh)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        entries = [text for text in left.splitlines() if text.startswith("msgid ")][1:]
        assert not entries, f"{option[2:]} in locale/nl (see docs/I18N.md):\n" + "\n".join(entries)


def test_the_compiled_catalogue_is_the_translations(tmp_path):
    """The committed .mo holds exactly the .po's translations (compilemessages was run)."""
    compiled = tmp_path / "django.mo"
    subprocess.run([_gettext_tool("msgfmt"), "--check", "-o", compiled, PO], check=True)
    with MO.open("rb") as committed, compiled.open("rb") as fresh:
        assert gettext.GNUTranslations(committed)._catalog == (
            gettext.GNUTranslations(fresh)._catalog
        ), "locale/nl: run `manage.py compilemessages --ignore=.venv` and commit the .mo"


def test_the_admin_names_the_ledgers_in_dutch(client, accountant):
    """Business Central's Dutch names of the ledgers, in the admin's own Dutch."""
    accountant.is_staff = accountant.is_superuser = True
    accountant.save()
    UserPreference.objects.create(user=accountant, language="nl")
    client.force_login(accountant)
    page = client.get(reverse("admin:index")).content.decode()
    for name in ("Artikelposten", "Waardeposten", "Vereffeningsposten", "Herwaarderingsbatches"):
        assert name in page
    assert "Websitebeheer" in page  # Django's own Dutch


def test_the_admin_labels_an_item_s_fields_in_business_central_s_dutch(client, accountant):
    """The field labels come from the models' verbose names: English as before, Dutch from BC."""
    accountant.is_staff = accountant.is_superuser = True
    accountant.save()
    item = ItemFactory(no="A")
    client.force_login(accountant)
    url = reverse("admin:inventory_item_change", args=[item.pk])
    page = client.get(url).content.decode()
    assert '<label class="required" for="id_costing_method">Costing method:</label>' in page
    UserPreference.objects.create(user=accountant, language="nl")
    client.force_login(accountant)  # the preference is read at sign-in
    page = client.get(url).content.decode()
    assert '<label class="required" for="id_costing_method">Waarderingsmethode:</label>' in page
    assert '<label class="required" for="id_base_unit_of_measure">Basiseenheid:</label>' in page
    assert "Vaste verrekenprijs" in page and "Laatste inkoopprijs" in page


def test_a_calculate_refusal_is_dutch_for_a_dutch_user(dutch_client, scenario_a, batch):  # noqa: F811
    ItemFactory(no="AVG", costing_method=CostingMethod.AVERAGE)
    url = reverse("revaluation-calculate", args=[batch.name])
    response = dutch_client.post(url, calculate_data(per="entry"), headers=HTMX)
    assert response.status_code == 422
    assert (
        "U mag artikelen met waarderingsmethode Gemiddeld niet herwaarderen als Berekenen per "
        "Artikelpost is." in text_of(response.content, "calculate-error")
    )
    assert not RevaluationLine.objects.exists()


def test_a_g_l_setup_error_names_the_setup_row_with_business_central_s_captions():
    row = InventoryPostingSetup(location_code="BLUE", inventory_posting_group="RESALE")
    assert setup_row(row) == (
        "Inventory Posting Setup: Location Code='BLUE', Inventory Posting Group='RESALE'"
    )
    with translation.override("nl"):
        message = translation.gettext("Blocked must be equal to 'No' in %(row)s.")
        assert message % {"row": setup_row(row)} == (
            "Geblokkeerd moet gelijk zijn aan 'Nee' in Voorraadboekingsinstellingen: "
            "Locatiecode='BLUE', Voorraadboekingsgroep='RESALE'."
        )
        assert setup_row(GeneralPostingSetup(gen_prod_posting_group="RETAIL")) == (
            "Algemene boekingsinstellingen: Bedrijfsboekingsgroep='', Productboekingsgroep='RETAIL'"
        )


def test_the_valuation_entries_page_explains_the_figure_in_dutch(dutch_client, scenario_a_adjusted):
    params = {"starting_date": "2025-01-04", "ending_date": "2025-01-05"}
    response = dutch_client.get(reverse("inventory-valuation"), params)
    assert (
        '<th scope="colgroup" colspan="2" class="section-head section-decreases">Afname</th>'
        in (response.content.decode())
    )
    [row] = response.context["rows"]
    page = dutch_client.get(row.cells[5].url).content.decode()
    assert "<h1>Afname: artikel <a" in page
    assert "De waardeposten achter het bedrag, 04-01-2025 tot en met 05-01-2025" in page
    assert "tekens omgekeerd: het rapport toont afnamen als positieve bedragen" in page
    assert "Σ Gefactureerd aantal" in page


def test_the_drill_down_says_in_dutch_that_the_ledger_changed(dutch_client, scenario_a):
    [changed] = calculate(day(6))  # after both sales: 7 left of P-2
    changed.quantity = D("8")
    changed.save(update_fields=["quantity"])
    url = reverse("revaluation-line-explain", args=["EXPLAIN", changed.pk])
    page = " ".join(dutch_client.get(url).content.decode().split())
    assert (
        "nu opnieuw berekend is Aantal 7 en Voorraadwaarde (berekend) 84,00; de regel bevat 8 en"
        in page
    )
    assert "op 06-01-2025: het resterende aantal en de waarde van de meegenomen inkomende" in page
