"""Forms of the item journal pages: they parse and check input; services do the writing.

Numbers are read by ``inventory.numbers`` (plain notation, never float), as in the grids and
the imports. Domain checks that need the ledger
(blocked items, applies-to entries, negative inventory ...) belong to the posting service, which
reports them per line and field when the journal is posted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from inventory import selectors
from inventory.amounts import QTY_DIGITS, QTY_PLACES, UNIT_DIGITS, UNIT_PLACES
from inventory.display import plain_number
from inventory.models import (
    CostingMethod,
    Item,
    ItemJournalBatch,
    ItemJournalEntryType,
    ItemJournalLine,
    ItemVariant,
    Location,
)
from inventory.numbers import NumberError, localize_plain, parse_decimal, parse_whole_number
from inventory.text import (
    BATCH_NAME_MAX_LENGTH,
    normalize_batch_name,
    shorten,
    validate_batch_name,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # django-stubs' helper: a dev dependency only


@dataclass(frozen=True)
class Column:
    name: str  # form field name (the model field, ``item`` for the item no.)
    label: StrOrPromise
    numeric: bool = False


# The columns of the journal grid, in display order. The line form has the same fields in the
# same order, minus ``line_no``.
LINE_COLUMNS: tuple[Column, ...] = (
    Column("line_no", _("Line No."), numeric=True),
    Column("posting_date", _("Posting Date")),
    Column("entry_type", _("Entry Type")),
    Column("document_no", _("Document No.")),
    Column("item", _("Item No.")),
    Column("location_code", _("Location Code")),
    Column("variant_code", _("Variant Code")),
    Column("quantity", _("Quantity"), numeric=True),
    Column("invoiced_quantity", _("Invoiced Quantity"), numeric=True),
    Column("unit_amount", _("Unit Amount"), numeric=True),
    Column("applies_to_entry", _("Applies-to Entry"), numeric=True),
    Column("applies_from_entry", _("Applies-from Entry"), numeric=True),
    Column("new_location_code", _("New Location Code")),
    Column("description", _("Description")),
)


def format_quantity(value: Decimal | None) -> str:
    """``10.00000`` -> ``10``, ``2.50000`` -> ``2.5``; None -> ``""``. No float involved."""
    if value is None:
        return ""
    return localize_plain(plain_number(value))


def format_unit_amount(value: Decimal | None) -> str:
    """At least two decimals, more only when the value has them: ``10`` -> ``10.00``."""
    if value is None:
        return ""
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        normalized = value.quantize(Decimal("0.01"))
    return localize_plain(format(normalized, "f"))


class PlainDecimalField(forms.CharField):
    """A decimal typed as a plain number (``inventory.numbers``) that fits the model field."""

    def __init__(self, *, max_digits: int, decimal_places: int, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "class": "w-num"})
        )
        super().__init__(**kwargs)
        self.max_digits, self.decimal_places = max_digits, decimal_places

    def to_python(self, value) -> Decimal | None:
        try:
            return parse_decimal(
                super().to_python(value),
                max_digits=self.max_digits,
                places=self.decimal_places,
                localized=True,
            )
        except NumberError as exc:
            raise ValidationError(exc.message, code="invalid") from None

    def prepare_value(self, value):
        """A stored Decimal in the user's notation, without grouping (``1234,5`` in Dutch)."""
        if isinstance(value, Decimal):
            return localize_plain(format(value, "f"))
        return super().prepare_value(value)


class EntryNoField(forms.CharField):
    """An entry number: a plain whole number from 0 to the largest entry number; blank -> None."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "class": "w-int"})
        )
        super().__init__(**kwargs)

    def to_python(self, value) -> int | None:
        try:
            return parse_whole_number(super().to_python(value))
        except NumberError as exc:
            raise ValidationError(exc.message, code="invalid") from None


def _quantity_field(**kwargs) -> PlainDecimalField:
    return PlainDecimalField(max_digits=QTY_DIGITS, decimal_places=QTY_PLACES, **kwargs)


def _code_widget() -> forms.TextInput:
    return forms.TextInput(attrs={"class": "w-code", "autocomplete": "off"})


class ItemJournalLineForm(forms.Form):
    """One journal line, for the add row and for editing a row in place.

    ``form_id`` is the id of the ``<form>`` element the inputs belong to (they sit in the table
    cells, outside the form, joined to it by the ``form`` attribute); ``id_prefix`` keeps input
    ids unique per row, so that htmx can restore focus after a swap.
    """

    posting_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date", "class": "w-date"}, format="%Y-%m-%d")
    )
    entry_type = forms.ChoiceField(choices=ItemJournalEntryType.choices)
    document_no = forms.CharField(
        label=_("Document No."), max_length=20, widget=forms.TextInput(attrs={"class": "w-code"})
    )
    item = forms.CharField(
        label=_("Item No."),
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "w-code", "list": "item-options", "autocomplete": "off"}
        ),
    )
    location_code = forms.CharField(max_length=10, required=False, widget=_code_widget())
    variant_code = forms.CharField(max_length=10, required=False, widget=_code_widget())
    quantity = _quantity_field()
    invoiced_quantity = _quantity_field(
        required=False, help_text=_("Blank: the whole quantity. 0: receipt/shipment only.")
    )
    unit_amount = PlainDecimalField(
        max_digits=UNIT_DIGITS,
        decimal_places=UNIT_PLACES,
        required=False,
        validators=[MinValueValidator(Decimal(0))],
    )
    applies_to_entry = EntryNoField(label=_("Applies-to Entry"), required=False)
    applies_from_entry = EntryNoField(label=_("Applies-from Entry"), required=False)
    new_location_code = forms.CharField(max_length=10, required=False, widget=_code_widget())
    description = forms.CharField(
        max_length=100, required=False, widget=forms.TextInput(attrs={"class": "w-text"})
    )

    def __init__(self, *args, form_id: str, id_prefix: str, **kwargs):
        kwargs.setdefault("auto_id", f"{id_prefix}-%s")
        super().__init__(*args, **kwargs)
        self.form_id = form_id
        labels = {column.name: column.label for column in LINE_COLUMNS}
        for name, field in self.fields.items():
            field.label = labels[name]
            field.widget.attrs["form"] = form_id
            field.widget.attrs["aria-label"] = labels[name]
            # The grid shows no help text; keep it as a tooltip.
            if field.help_text:
                field.widget.attrs["title"] = field.help_text
                field.help_text = ""
        for name in ("location_code", "new_location_code"):
            self.fields[name].widget.attrs["list"] = "location-options"
        self.fields["variant_code"].widget.attrs["list"] = "variant-options"

    @staticmethod
    def initial_for(line: ItemJournalLine) -> dict[str, object]:
        """The form's initial data for an existing line, decimals shown without trailing zeros."""
        return {
            "posting_date": line.posting_date,
            "entry_type": line.entry_type,
            "document_no": line.document_no,
            "item": line.item_id,
            "location_code": line.location_code,
            "variant_code": line.variant_code,
            "quantity": format_quantity(line.quantity),
            "invoiced_quantity": format_quantity(line.invoiced_quantity),
            "unit_amount": format_unit_amount(line.unit_amount),
            "applies_to_entry": line.applies_to_entry or "",
            "applies_from_entry": line.applies_from_entry or "",
            "new_location_code": line.new_location_code,
            "description": line.description,
        }

    def clean_document_no(self) -> str:
        return self.cleaned_data["document_no"].strip()

    def clean_item(self) -> Item:
        no = self.cleaned_data["item"].strip()
        matches = list(Item.objects.filter(no__iexact=no)[:2])
        item = next((m for m in matches if m.no == no), matches[0] if matches else None)
        if item is None:
            raise ValidationError("There is no item %(no)s.", code="unknown", params={"no": no})
        return item

    def _clean_location(self, name: str) -> str:
        code = self.cleaned_data[name].strip()
        if not code:
            return ""
        location = Location.objects.filter(code__iexact=code).order_by("code").first()
        if location is None:
            raise ValidationError(
                "There is no location %(code)s.", code="unknown", params={"code": code}
            )
        return location.code

    def clean_location_code(self) -> str:
        return self._clean_location("location_code")

    def clean_new_location_code(self) -> str:
        return self._clean_location("new_location_code")

    def clean_applies_to_entry(self) -> int:
        return self.cleaned_data["applies_to_entry"] or 0

    def clean_applies_from_entry(self) -> int:
        return self.cleaned_data["applies_from_entry"] or 0

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        item = cleaned.get("item")
        variant_code = (cleaned.get("variant_code") or "").strip()
        cleaned["variant_code"] = variant_code
        if variant_code and isinstance(item, Item):
            variant = (
                ItemVariant.objects.filter(item=item, code__iexact=variant_code)
                .order_by("code")
                .first()
            )
            if variant is None:
                self.add_error(
                    "variant_code",
                    ValidationError(
                        "Item %(item)s has no variant %(code)s.",
                        code="unknown",
                        params={"item": item.no, "code": variant_code},
                    ),
                )
            else:
                cleaned["variant_code"] = variant.code
        # E-04: every line needs a quantity; on an invoice line it is the quantity invoiced.
        if cleaned.get("quantity") == 0:
            self.add_error(
                "quantity", ValidationError("Enter a quantity other than 0.", code="zero")
            )
        return cleaned


class ItemJournalBatchForm(forms.Form):
    name = forms.CharField(
        max_length=BATCH_NAME_MAX_LENGTH,
        help_text=_("Up to 20 letters, digits, '-' or '_'; stored in capitals."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = forms.CharField(max_length=100, required=False)

    def clean_name(self) -> str:
        name = normalize_batch_name(self.cleaned_data["name"])
        validate_batch_name(name)
        if ItemJournalBatch.objects.filter(pk=name).exists():
            raise ValidationError(
                "A batch named %(name)s already exists.", code="exists", params={"name": name}
            )
        return name


# --------------------------------------------------------------------------- items, adjust cost

CODE_SEPARATORS = re.compile(r"[\s,;|]+")
# More codes than this in one filter is not a selection any more (leave the filter blank).
MAX_CODES = 10_000


def split_codes(text: str, *, max_length: int | None = None) -> list[str]:
    """``"A, B|C  A"`` -> ``["A", "B", "C"]``: codes separated by spaces, commas, ``;`` or ``|``.

    Order kept, repeats dropped, in one pass. More than ``MAX_CODES`` codes, or a code longer
    than ``max_length``, is a ValidationError.
    """
    codes = [code for code in CODE_SEPARATORS.split(text.strip()) if code]
    if len(codes) > MAX_CODES:
        raise ValidationError(
            "Enter at most %(max)s codes (%(count)s given); leave the filter blank for all.",
            code="too_many",
            params={"max": f"{MAX_CODES:,}", "count": f"{len(codes):,}"},
        )
    unique = list(dict.fromkeys(codes))
    too_long = next((code for code in unique if max_length and len(code) > max_length), None)
    if too_long:
        raise ValidationError(
            "“%(code)s” is longer than %(max)s characters.",
            code="too_long",
            params={"code": shorten(too_long), "max": max_length},
        )
    return unique


class ItemListFilterForm(forms.Form):
    """The filters of the items page (a GET form; every field is optional)."""

    q = forms.CharField(
        label=_("Search"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "No. or description"}),
    )
    costing_method = forms.ChoiceField(
        label=_("Costing method"), choices=[("", _("All")), *CostingMethod.choices], required=False
    )
    not_adjusted = forms.BooleanField(label=_("Cost not adjusted only"), required=False)


class AdjustCostStartForm(forms.Form):
    """Start Adjust Cost - Item Entries for every item not adjusted, or for some items."""

    ALL, ITEMS = "all", "items"

    scope = forms.ChoiceField(
        label=_("Items"),
        choices=[(ALL, "All items whose cost is not adjusted"), (ITEMS, "Only these items:")],
        initial=ALL,
        widget=forms.RadioSelect,
    )
    item_nos = forms.CharField(
        label=_("Item Nos."),
        required=False,
        max_length=2000,
        help_text=_("Separate item numbers with spaces, commas or |."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "item-options"}),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        cleaned["item_no_list"] = None
        if cleaned.get("scope") != self.ITEMS:
            return cleaned
        nos = split_codes(cleaned.get("item_nos") or "")
        if not nos:
            self.add_error(
                "item_nos", ValidationError("Enter at least one item no.", code="required")
            )
            return cleaned
        missing = selectors.item_nos_missing(item_nos=nos)
        if missing:
            self.add_error(
                "item_nos",
                ValidationError(
                    "There is no item %(nos)s.", code="unknown", params={"nos": ", ".join(missing)}
                ),
            )
        cleaned["item_no_list"] = nos
        return cleaned


# --------------------------------------------------------------------------- valuation

BLANK_LOCATION = "__blank__"  # the blank location is no record; longer than any code


class ValuationForm(forms.Form):
    """The request options of the Inventory Valuation report (COSTING-SPEC §12.1), a GET form."""

    starting_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Blank: as of the ending date."),
    )
    ending_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    by_location = forms.BooleanField(label=_("By location"), required=False)
    items = forms.CharField(
        label=_("Item Nos."),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "All"}),
    )
    locations = forms.MultipleChoiceField(
        label=_("Locations"), required=False, widget=forms.CheckboxSelectMultiple
    )
    variants = forms.CharField(
        label=_("Variants"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "All"}),
    )
    expected = forms.BooleanField(label=_("Include expected cost"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["locations"].choices = [
            *((code, code) for code in Location.objects.values_list("code", flat=True)),
            (BLANK_LOCATION, "(blank)"),
        ]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        starting, ending = cleaned.get("starting_date"), cleaned.get("ending_date")
        if starting and ending and starting > ending:
            self.add_error(
                "starting_date",
                ValidationError("The starting date is after the ending date.", code="order"),
            )
        cleaned["item_nos"] = split_codes(cleaned.get("items") or "") or None
        cleaned["variant_codes"] = split_codes(cleaned.get("variants") or "") or None
        codes = cleaned.get("locations") or []
        cleaned["location_codes"] = (
            ["" if code == BLANK_LOCATION else code for code in codes] if codes else None
        )
        return cleaned

    def report_kwargs(self) -> dict[str, object]:
        """The arguments of ``inventory.reports.inventory_valuation`` (valid forms only)."""
        data = self.cleaned_data
        return {
            "ending_date": data["ending_date"],
            "starting_date": data["starting_date"],
            "by_location": data["by_location"],
            "item_nos": data["item_nos"],
            "location_codes": data["location_codes"],
            "variant_codes": data["variant_codes"],
        }
