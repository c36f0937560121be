"""The parts of Adjust Cost - Item Entries; ``inventory.services.adjustment`` puts them together
and its docstring walks through one item's adjustment."""
