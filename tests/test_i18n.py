"""The translation table: every label in both languages, as text, each key in one file."""
from analysis.i18n import LANGUAGES, t, table


def test_every_label_has_both_languages_as_text():
    # a YAML trap: an unquoted "Yes, ..." in a flow mapping is the boolean True
    broken = {key: texts for key, texts in table().items()
              if set(texts) != set(LANGUAGES) or not all(isinstance(v, str) and v.strip()
                                                         for v in texts.values())}
    assert broken == {}


def test_lookup_and_placeholders():
    assert t("store_saved", "en", id=3) == "Saved as study 3."
    assert t("no such label", "en") == "no such label"
