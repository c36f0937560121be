"""The default chart of accounts and the choice of a G/L account for a value entry (spec §10.2).

"Inventory" and "Inventory (Interim)" come from Inventory Posting Setup (location, inventory
posting group); the other roles from General Posting Setup (gen. bus., gen. prod. posting group).
A key that has no setup row yet gets one copied from Default Posting Accounts, so that any item at
any location posts without set-up; a blank or blocked account is refused naming the setup row.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from inventory.gl_models import INVENTORY_SETUP_ROLES
from inventory.models import (
    DefaultPostingAccounts,
    GeneralPostingSetup,
    GLAccount,
    GLAccountType,
    GLRole,
    InventoryPostingSetup,
)

BS, IS = GLAccountType.BALANCE_SHEET, GLAccountType.INCOME_STATEMENT

# role -> (account no., name, type): every role has its own account.
DEFAULT_CHART = {
    GLRole.INVENTORY: ("2130", "Inventory", BS),
    GLRole.INVENTORY_INTERIM: ("2131", "Inventory (Interim)", BS),
    GLRole.WIP: ("2140", "Work in Process", BS),
    GLRole.INVT_ACCRUAL_INTERIM: ("5530", "Invt. Accrual (Interim)", BS),
    GLRole.DIRECT_COST_APPLIED: ("7190", "Direct Cost Applied", IS),
    GLRole.OVERHEAD_APPLIED: ("7191", "Overhead Applied", IS),
    GLRole.PURCHASE_VARIANCE: ("7192", "Purchase Variance", IS),
    GLRole.COGS: ("7290", "Cost of Goods Sold", IS),
    GLRole.COGS_INTERIM: ("7291", "COGS (Interim)", IS),
    GLRole.INVENTORY_ADJMT: ("7270", "Inventory Adjustment", IS),
}
# The posting groups items get by default (``Item`` field defaults).
DEFAULT_INVENTORY_POSTING_GROUP = "RESALE"
DEFAULT_GEN_PROD_POSTING_GROUP = "RETAIL"
_INV_ROLES = [role.value for role in INVENTORY_SETUP_ROLES]
_GEN_ROLES = [role.value for role in GLRole if role not in INVENTORY_SETUP_ROLES]


def create_default_chart(gl_account: Any, defaults_model: Any, inv_setup: Any, gen_setup: Any):
    """Create the default chart, Default Posting Accounts and the setup rows of the default
    posting groups, unless they exist. Takes the model classes (the data migration passes its
    historical models)."""
    for no, name, account_type in DEFAULT_CHART.values():
        gl_account.objects.get_or_create(
            no=no, defaults={"name": name, "account_type": account_type}
        )
    accounts = {role.value: no for role, (no, _name, _type) in DEFAULT_CHART.items()}
    defaults_model.objects.get_or_create(
        pk=1, defaults={f"{role}_id": no for role, no in accounts.items()}
    )
    inv_setup.objects.get_or_create(
        location_code="",
        inventory_posting_group=DEFAULT_INVENTORY_POSTING_GROUP,
        defaults={f"{role}_id": accounts[role] for role in _INV_ROLES},
    )
    gen_setup.objects.get_or_create(
        gen_bus_posting_group="",
        gen_prod_posting_group=DEFAULT_GEN_PROD_POSTING_GROUP,
        defaults={f"{role}_id": accounts[role] for role in _GEN_ROLES},
    )


def default_posting_accounts() -> DefaultPostingAccounts:
    defaults = DefaultPostingAccounts.objects.filter(pk=1).first()
    if defaults is None:
        create_default_chart(
            GLAccount, DefaultPostingAccounts, InventoryPostingSetup, GeneralPostingSetup
        )
        defaults = DefaultPostingAccounts.objects.get(pk=1)
    return defaults


class SetupResolver:
    """Finds the account of a role for value entries; reads each setup table once.

    ``create_missing``: setup rows missing for a key are inserted from the defaults (posting);
    otherwise they are only built in memory (test mode, nothing written).
    """

    def __init__(self, *, create_missing: bool):
        self.create_missing = create_missing
        self.accounts = {account.no: account for account in GLAccount.objects.all()}
        self.inv_rows = {
            (row.location_code, row.inventory_posting_group): row
            for row in InventoryPostingSetup.objects.all()
        }
        self.gen_rows = {
            (row.gen_bus_posting_group, row.gen_prod_posting_group): row
            for row in GeneralPostingSetup.objects.all()
        }
        self._defaults: DefaultPostingAccounts | None = None

    @property
    def defaults(self) -> DefaultPostingAccounts:
        if self._defaults is None:
            self._defaults = default_posting_accounts()
            self.accounts = {account.no: account for account in GLAccount.objects.all()}
        return self._defaults

    def _row(self, ve: dict, role: GLRole) -> tuple[Any, str | None]:
        rows: dict[tuple[str, str], Any]
        model: Any
        if role in INVENTORY_SETUP_ROLES:
            key = (ve["location_code"], ve["inventory_posting_group"])
            rows, model, roles = self.inv_rows, InventoryPostingSetup, _INV_ROLES
            fields = {"location_code": key[0], "inventory_posting_group": key[1]}
            group_field = "inventory_posting_group"
        else:
            key = (ve["gen_bus_posting_group"], ve["gen_prod_posting_group"])
            rows, model, roles = self.gen_rows, GeneralPostingSetup, _GEN_ROLES
            fields = {"gen_bus_posting_group": key[0], "gen_prod_posting_group": key[1]}
            group_field = "gen_prod_posting_group"
        row = rows.get(key)
        if row is None:
            row = model(**fields)
            if not fields[group_field]:  # no group: no setup row can exist (E-05)
                return None, _missing_row(row)
            for name in roles:
                setattr(row, f"{name}_id", getattr(self.defaults, f"{name}_id"))
            if self.create_missing:
                model.objects.bulk_create([row], ignore_conflicts=True)
                row = model.objects.get(**fields)
            rows[key] = row
        return row, None

    def account(self, ve: dict, role: GLRole) -> tuple[GLAccount | None, str | None]:
        """The account of ``role`` for value entry ``ve`` (a dict), or the error (E-05/E-51)."""
        row, error = self._row(ve, role)
        if error:
            return None, error
        if isinstance(row, GeneralPostingSetup) and row.blocked:
            return None, _("Blocked must be equal to 'No' in %(row)s.") % {"row": setup_row(row)}
        label = row._meta.get_field(role.value).verbose_name
        account_no = getattr(row, f"{role.value}_id")
        if not account_no:
            return None, _("%(field)s must have a value in %(row)s.") % {
                "field": label,
                "row": setup_row(row),
            }
        account = self.accounts.get(account_no)
        if account is None:  # created after this run started reading
            account = self.accounts[account_no] = GLAccount.objects.get(no=account_no)
        if account.blocked:
            return None, _(
                "Blocked must be equal to 'No' in G/L Account: No.='%(no)s' (%(field)s in %(row)s)."
            ) % {"no": account.no, "field": label, "row": setup_row(row)}
        return account, None


def setup_row(row: InventoryPostingSetup | GeneralPostingSetup) -> str:
    """A setup row named as Business Central names it in a message, in the active language."""
    if isinstance(row, InventoryPostingSetup):
        return _(
            "Inventory Posting Setup: Location Code='%(location)s', Inventory Posting "
            "Group='%(group)s'"
        ) % {"location": row.location_code, "group": row.inventory_posting_group}
    return _(
        "General Posting Setup: Gen. Bus. Posting Group='%(bus)s', Gen. Prod. Posting "
        "Group='%(prod)s'"
    ) % {"bus": row.gen_bus_posting_group, "prod": row.gen_prod_posting_group}


def _missing_row(row: InventoryPostingSetup | GeneralPostingSetup) -> str:
    """E-05: the setup row of a value entry without a posting group cannot exist."""
    if isinstance(row, InventoryPostingSetup):
        return _(
            "The Inventory Posting Setup does not exist: Location Code='%(location)s', "
            "Inventory Posting Group='%(group)s'."
        ) % {"location": row.location_code, "group": row.inventory_posting_group}
    return _(
        "The General Posting Setup does not exist: Gen. Bus. Posting Group='%(bus)s', Gen. "
        "Prod. Posting Group='%(prod)s'."
    ) % {"bus": row.gen_bus_posting_group, "prod": row.gen_prod_posting_group}


def create_location_setup_rows(location_code: str) -> None:
    """A new location gets an Inventory Posting Setup row for every inventory posting group that
    has one elsewhere, with the default accounts (rows that exist are left alone)."""
    defaults = default_posting_accounts()
    groups = (
        InventoryPostingSetup.objects.exclude(location_code=location_code)
        .values_list("inventory_posting_group", flat=True)
        .distinct()
    )
    InventoryPostingSetup.objects.bulk_create(
        [
            InventoryPostingSetup(
                location_code=location_code,
                inventory_posting_group=group,
                **{f"{role}_id": getattr(defaults, f"{role}_id") for role in _INV_ROLES},
            )
            for group in groups
        ],
        ignore_conflicts=True,
    )
