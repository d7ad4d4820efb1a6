"""A read-only provider with made-up places, for pure menu tests."""

from __future__ import annotations

from collections.abc import Sequence

from app.cases.reference import damm_digit
from app.ussd.screens import Item


def ref(body: str) -> str:
    """A valid case number from six digits."""
    return body + str(damm_digit(body))


REGIONS = [Item(f"R{n:02}", name) for n, name in enumerate([
    "Arusha", "Dar es Salaam", "Dodoma", "Geita", "Iringa", "Kagera", "Kaskazini Pemba",
    "Kaskazini Unguja", "Katavi", "Kigoma", "Kilimanjaro", "Mjini Magharibi",
], 1)]
COUNCILS = {"R01": [Item("C1", "Arusha (CC)"), Item("C2", "Meru (DC)")],
            "R02": [Item("C3", "Kinondoni (MC)")]}
WARDS = {"C1": [Item(f"W{n:02}", name) for n, name in enumerate([
    "Baraa", "Daraja Mbili", "Elerai", "Engutoto", "Kaloleni", "Kati", "Kimandolu", "Lemara",
    "Levolosi", "Moivaro", "Moshono", "Muriet", "Ngarenaro", "Olasiti", "Olmoti", "Sakina",
], 1)], "C2": [Item("W90", "Usa River")], "C3": []}
STATUSES = {ref("123456"): "referred", ref("654321"): "closed"}


class FakeProvider:
    def __init__(self, long_names: bool = False) -> None:
        self.long = long_names

    def _name(self, item: Item) -> Item:
        return Item(item.id, (item.label + " Wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww")
                    if self.long else item.label)

    def items(self, source: str, parent_id: str | None) -> Sequence[Item]:
        if source == "regions":
            found = REGIONS
        elif source == "councils":
            found = COUNCILS.get(parent_id or "", [])
        else:
            found = WARDS.get(parent_id or "", [])
        return [self._name(i) for i in found]

    def search(self, source: str, parent_id: str | None, typed: str) -> Sequence[Item]:
        if source == "places":
            return [self._place(council, ward) for council, wards in WARDS.items()
                    for ward in wards
                    if ward.label.casefold().startswith(typed.strip().casefold())]
        return [i for i in self.items(source, parent_id)
                if i.label.casefold().startswith(typed.strip().casefold())][:6]

    def _place(self, council_id: str, ward: Item) -> Item:
        region = next(r for r, cs in COUNCILS.items() if any(c.id == council_id for c in cs))
        council = next(c for c in COUNCILS[region] if c.id == council_id)
        label = self._name(Item(ward.id, f"{ward.label} ({council.label.split(' (')[0]})")).label
        return Item(ward.id, label, sets=(
            ("region", region), ("council", council_id), ("ward", ward.id),
            ("region_label", None), ("council_label", None), ("ward_label", None),
            ("place_label", label)))

    def case_status(self, reference: str) -> str | None:
        return STATUSES.get(reference)
