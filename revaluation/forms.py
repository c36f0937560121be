"""Forms of the revaluation journal pages: they parse the request; services do the work.

Amounts typed into the grid are passed to ``services.lines.line_edit`` as text: the service owns
the number rules (E-33, the precision rule of COSTING-SPEC §0.2, absurd values) so that the
browser, an import and the batch job are checked in exactly one place.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone

from inventory.forms import EntryNoField, split_codes
from inventory.models import CostingMethod
from inventory.numbers import NumberError, parse_decimal
from revaluation.models import RevaluationLine
from revaluation.services.calculate import (
    BASE_BLANK,
    BASE_LAST_DIRECT_COST,
    BASE_STANDARD_COST,
    PER_ENTRY,
    PER_ITEM,
    CalculateOptions,
)
from revaluation.services.lines import EDITABLE_FIELDS


class BatchCreateForm(forms.Form):
    name = forms.CharField(
        max_length=20,
        help_text="Up to 20 characters; stored in capitals.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "REVAL"}),
    )
    description = forms.CharField(max_length=100, required=False)
    last_document_no = forms.CharField(
        label="Number series start",
        max_length=20,
        required=False,
        help_text="The last number used, e.g. REV-0000: the first document is REV-0001. "
        "Leave blank for no number series.",
        widget=forms.TextInput(attrs={"placeholder": "REV-0000", "autocomplete": "off"}),
    )


class CalculateForm(forms.Form):
    """The request page of Calculate Inventory Value (COSTING-SPEC §4.1)."""

    posting_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    document_no = forms.CharField(label="Document No.", max_length=20, required=False)
    per = forms.ChoiceField(
        label="Calculate per",
        choices=[(PER_ITEM, "Item"), (PER_ENTRY, "Item Ledger Entry")],
        initial=PER_ITEM,
        widget=forms.RadioSelect,
    )
    by_location = forms.BooleanField(label="By Location", required=False)
    by_variant = forms.BooleanField(label="By Variant", required=False)
    update_standard_cost = forms.BooleanField(label="Update Standard Cost", required=False)
    calculation_base = forms.ChoiceField(
        label="Calculation base",
        choices=[
            (BASE_BLANK, "(blank)"),
            (BASE_LAST_DIRECT_COST, "Last Direct Unit Cost"),
            (BASE_STANDARD_COST, "Standard Cost"),
        ],
        required=False,
        help_text="The proposed revalued cost. Blank: revalued = calculated.",
    )
    item_nos = forms.CharField(
        label="Item No. filter",
        required=False,
        help_text="Comma-separated; blank for all items.",
        widget=forms.TextInput(attrs={"placeholder": "e.g. 1000, 1001", "autocomplete": "off"}),
    )
    costing_methods = forms.MultipleChoiceField(
        label="Costing Method filter",
        choices=CostingMethod.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    location_codes = forms.CharField(
        label="Location filter",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. BLUE, RED", "autocomplete": "off"}),
    )
    variant_codes = forms.CharField(
        label="Variant filter",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    # The answer to question Q-01 ("Duplicate Revaluation Journals will be generated...").
    confirm_duplicates = forms.BooleanField(required=False, widget=forms.HiddenInput)

    PER_ITEM_ONLY = ("by_location", "by_variant", "update_standard_cost", "calculation_base")

    @classmethod
    def for_batch(cls, *, next_document_no: str) -> CalculateForm:
        return cls(initial={"posting_date": timezone.localdate(), "document_no": next_document_no})

    def clean_item_nos(self) -> tuple[str, ...]:
        return tuple(split_codes(self.cleaned_data["item_nos"], max_length=20))

    def clean_location_codes(self) -> tuple[str, ...]:
        return tuple(split_codes(self.cleaned_data["location_codes"], max_length=10))

    def clean_variant_codes(self) -> tuple[str, ...]:
        return tuple(split_codes(self.cleaned_data["variant_codes"], max_length=10))

    def options(self) -> CalculateOptions:
        data = self.cleaned_data
        return CalculateOptions(
            posting_date=data["posting_date"],
            document_no=data["document_no"].strip(),
            per=data["per"],
            by_location=data["by_location"],
            by_variant=data["by_variant"],
            update_standard_cost=data["update_standard_cost"],
            calculation_base=data["calculation_base"],
            item_nos=data["item_nos"],
            costing_methods=tuple(data["costing_methods"]),
            location_codes=data["location_codes"],
            variant_codes=data["variant_codes"],
        )


def _differs(raw: str, current: Decimal) -> bool:
    try:
        return parse_decimal(raw.replace(",", "")) != current
    except NumberError:
        return True  # not a number: let the service say so


class LineEditForm(forms.Form):
    """One cell edit: ``field`` (sent by htmx) names the cell; a plain form post sends both
    cells and the edited one is the one that differs from the line."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    field = forms.ChoiceField(choices=[(name, name) for name in EDITABLE_FIELDS], required=False)
    unit_cost_revalued = forms.CharField(required=False, max_length=60)
    inventory_value_revalued = forms.CharField(required=False, max_length=60)

    def edited_field(self, line: RevaluationLine) -> str | None:
        data = self.cleaned_data
        if data["field"]:
            return data["field"]
        for name in EDITABLE_FIELDS:
            if name in self.data and _differs(data[name], getattr(line, name)):
                return name
        return None


class ManualLineForm(forms.Form):
    """A manual per-entry revaluation line (COSTING-SPEC §5.7, §5.9)."""

    item = forms.CharField(
        label="Item No.",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "item-suggestions"}),
    )
    applies_to_entry = EntryNoField(
        label="Applies-to Entry",
        validators=[MinValueValidator(1)],
        error_messages={"required": "Choose the item ledger entry to revalue."},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    document_no = forms.CharField(
        label="Document No.",
        max_length=20,
        required=False,
        help_text="Blank: the previous line's (or the next number of the series).",
    )

    def clean_item(self) -> str:
        return self.cleaned_data["item"].strip()
