"""Forms of the revaluation journal pages: they parse the request; services do the work.

Amounts typed into the grid are passed to ``services.lines.line_edit`` as text: the service owns
the number rules (E-33, the precision rule of COSTING-SPEC §0.2, absurd values) so that the
browser, an import and the batch job are checked in exactly one place.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.forms import EntryNoField, split_codes
from inventory.models import CostingMethod, Item, ItemVariant, Location
from inventory.numbers import NumberError, parse_decimal
from revaluation.models import RevaluationLine
from revaluation.services.calculate import (
    CalculateOptions,
    CalculatePer,
    CalculationBase,
)
from revaluation.services.lines import EDITABLE_FIELDS, changed_cells

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # django-stubs' helper: a dev dependency only


class BatchCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=20,
        help_text=_("Up to 20 characters; stored in capitals."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "REVAL"}),
    )
    description = forms.CharField(label=_("Description"), max_length=100, required=False)
    last_document_no = forms.CharField(
        label=_("Number series start"),
        max_length=20,
        required=False,
        help_text=_(
            "The last number used, e.g. REV-0000: the first document is REV-0001. "
            "Leave blank for no number series."
        ),
        widget=forms.TextInput(attrs={"placeholder": "REV-0000", "autocomplete": "off"}),
    )


def _refuse_unknown(noun: StrOrPromise, codes: tuple[str, ...], found) -> None:
    """Name the filter values that match nothing (one query), instead of finding nothing."""
    known = {code for (code,) in found}
    unknown = [code for code in codes if code not in known]
    if unknown:
        named = ", ".join(unknown[:10])
        if len(unknown) > 10:
            named = _("%(codes)s and %(count)s more") % {"codes": named, "count": len(unknown) - 10}
        raise forms.ValidationError(
            _("There is no %(noun)s %(codes)s."),
            code="unknown",
            params={"noun": noun, "codes": named},
        )


class CalculateForm(forms.Form):
    """The request page of Calculate Inventory Value (COSTING-SPEC §4.1)."""

    posting_date = forms.DateField(
        label=_("Posting Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    document_no = forms.CharField(label=_("Document No."), max_length=20, required=False)
    per = forms.ChoiceField(
        label=_("Calculate per"),
        choices=CalculatePer.choices,
        initial=CalculatePer.ITEM,
        widget=forms.RadioSelect,
    )
    by_location = forms.BooleanField(label=_("By Location"), required=False)
    by_variant = forms.BooleanField(label=_("By Variant"), required=False)
    update_standard_cost = forms.BooleanField(label=_("Update Standard Cost"), required=False)
    calculation_base = forms.ChoiceField(
        label=_("Calculation base"),
        choices=[
            *CalculationBase.choices,
        ],
        required=False,
        help_text=_(
            "The proposed revalued cost. Blank: revalued = calculated. Per Item Ledger Entry only "
            "the write-down bases (NRV, slow-moving) apply; they propose only the lines that change."
        ),
    )
    item_nos = forms.CharField(
        label=_("Item No. filter"),
        required=False,
        help_text=_("Comma-separated; blank for all items."),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 1000, 1001"), "autocomplete": "off"}),
    )
    costing_methods = forms.MultipleChoiceField(
        label=_("Costing Method filter"),
        choices=CostingMethod.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    location_codes = forms.CharField(
        label=_("Location filter"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. BLUE, RED"), "autocomplete": "off"}),
    )
    variant_codes = forms.CharField(
        label=_("Variant filter"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    # The answer to question Q-01 ("Duplicate Revaluation Journals will be generated...").
    confirm_duplicates = forms.BooleanField(required=False, widget=forms.HiddenInput)

    PER_ITEM_ONLY = ("by_location", "by_variant", "update_standard_cost", "calculation_base")

    # What the form remembers of a run (the confirmation and the button are not options).
    REMEMBERED = (
        "posting_date",
        "document_no",
        "per",
        *PER_ITEM_ONLY,
        "item_nos",
        "costing_methods",
        "location_codes",
        "variant_codes",
    )

    @classmethod
    def for_batch(cls, *, next_document_no: str, last_run: dict | None = None) -> CalculateForm:
        """The form as the batch's last run left it (``last_run``: the submitted values), with
        the number series' next document no. when the batch has one."""
        initial: dict[str, object] = {"posting_date": timezone.localdate()}
        initial.update(last_run or {})
        if next_document_no:
            initial["document_no"] = next_document_no
        return cls(initial=initial)

    def remembered(self) -> dict[str, object]:
        """The submitted options, to prefill the form after the run (kept in the session)."""
        return {
            name: self.data.getlist(name) if name == "costing_methods" else self.data.get(name, "")  # type: ignore[attr-defined]
            for name in self.REMEMBERED
            if name in self.data
        }

    def clean_item_nos(self) -> tuple[str, ...]:
        codes = tuple(split_codes(self.cleaned_data["item_nos"], max_length=20))
        _refuse_unknown(_("item"), codes, Item.objects.filter(no__in=codes).values_list("no"))
        return codes

    def clean_location_codes(self) -> tuple[str, ...]:
        codes = tuple(split_codes(self.cleaned_data["location_codes"], max_length=10))
        found = Location.objects.filter(code__in=codes).values_list("code")
        _refuse_unknown(_("location"), codes, found)
        return codes

    def clean_variant_codes(self) -> tuple[str, ...]:
        codes = tuple(split_codes(self.cleaned_data["variant_codes"], max_length=10))
        found = ItemVariant.objects.filter(code__in=codes).values_list("code").distinct()
        _refuse_unknown(_("variant"), codes, found)
        return codes

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


def _typed_value(raw: str) -> Decimal | str:
    """The number typed in a cell, else the text itself (not a number: the service says so)."""
    try:
        number = parse_decimal(raw, localized=True)
    except NumberError:
        return raw
    return Decimal(0) if number is None else number  # blank = 0, as in Business Central


class LineEditForm(forms.Form):
    """One cell edit: ``field`` (sent by htmx) names the cell; a plain form post sends both
    cells and the edited one is the one that differs from the line."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    field = forms.ChoiceField(choices=[(name, name) for name in EDITABLE_FIELDS], required=False)
    unit_cost_revalued = forms.CharField(required=False, max_length=60)
    inventory_value_revalued = forms.CharField(required=False, max_length=60)

    def edited_fields(self, line: RevaluationLine) -> list[str]:
        """The cell htmx names, else every cell whose text differs from the line (a plain form
        post sends both; more than one is refused: the two cells depend on each other)."""
        data = self.cleaned_data
        if data["field"]:
            return [data["field"]]
        typed = {name: _typed_value(data[name]) for name in EDITABLE_FIELDS if name in self.data}
        return changed_cells(line, typed)


class ManualLineForm(forms.Form):
    """A manual per-entry revaluation line (COSTING-SPEC §5.7, §5.9)."""

    item = forms.CharField(
        label=_("Item No."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "item-suggestions"}),
    )
    applies_to_entry = EntryNoField(
        label=_("Applies-to Entry"),
        validators=[MinValueValidator(1)],
        error_messages={"required": _("Choose the item ledger entry to revalue.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    document_no = forms.CharField(
        label=_("Document No."),
        max_length=20,
        required=False,
        help_text=_("Blank: the previous line's (or the next number of the series)."),
    )

    def clean_item(self) -> str:
        return self.cleaned_data["item"].strip()


class ReverseForm(forms.Form):
    """Reverse a posted revaluation: the posting date of the reversal (an open period)."""

    posting_date = forms.DateField(
        label="Posting Date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The reversal's posting date; it must be in an open period.",
    )
