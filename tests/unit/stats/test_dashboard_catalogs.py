"""The statistics, audit, health and responders pages speak Swahili and English, fully."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.i18n import catalog_keys

APP = Path(__file__).resolve().parents[3] / "app"
CATALOGS = [APP / "stats" / "translations", APP / "audit" / "translations",
            APP / "health" / "translations", APP / "referral" / "webtranslations"]


@pytest.mark.parametrize("directory", CATALOGS, ids=lambda p: p.parent.name)
def test_every_key_has_swahili_and_english_text_with_the_same_fields(directory: Path) -> None:
    sw, en = catalog_keys(directory, "sw"), catalog_keys(directory, "en")
    assert sw.keys() == en.keys()
    for key in sw:
        assert sw[key].strip() and en[key].strip(), key
        fields = [sorted(p.split("}")[0] for p in text.split("{")[1:]) for text in (sw[key],
                                                                                 en[key])]
        assert fields[0] == fields[1], key


@pytest.mark.parametrize("directory", CATALOGS, ids=lambda p: p.parent.name)
def test_every_key_a_template_or_module_uses_exists(directory: Path) -> None:
    import re

    keys = set(catalog_keys(directory, "en"))
    package = directory.parent
    used: set[str] = set()
    for path in [*package.rglob("*.html"), *package.glob("*.py")]:
        used |= set(re.findall(r'\bT\(\s*["\']([a-z_]+\.[a-z_.]+)["\']', path.read_text()))
        used |= set(re.findall(r'\bt\(\s*["\']([a-z_]+\.[a-z_.]+)["\']', path.read_text()))
    prefix = {"translations": package.name, "webtranslations": "responders"}[directory.name]
    used = {k for k in used if k.startswith(prefix + ".") and not k.endswith((".", "_"))}
    assert used, directory
    assert used <= keys, sorted(used - keys)
