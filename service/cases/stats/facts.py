"""The statistical facts of a case, read from its data at every step and written with the case row.

Pure: `fact_columns(data)` maps the case data to the `cases` fact columns (service/models/cases.py). A fact
absent from the data leaves its column as it was; a value of the wrong type is ignored, never guessed.
Once the cadre records of the issue "Cadres as records" land, the cadre level comes from there.
"""

from __future__ import annotations

# column: (data key, kind, limit)
STRING_FACTS = {
    "cadre_level": ("cadre_level", 16),
    "clue_source": ("source", 32),
    "clue_channel": ("channel", 8),
    "disposal": ("disposal", 16),
    "finding": ("finding", 16),
    "report_type": ("report_type", 8),
    "grade": ("grade", 8),
}
BOOLEAN_FACTS = {"real_name": "is_real_name", "cleared": "cleared"}
MEASURES_LIMIT = 512


def measures_key(measures: list[str]) -> str:
    """The measures as one delimited string, so `LIKE '%|诫勉|%'` finds a case with that measure."""
    return "|" + "|".join(measures) + "|"


def fact_columns(data: dict) -> dict:
    """The fact columns this data sets (only those it knows)."""
    values: dict = {}
    for column, (key, limit) in STRING_FACTS.items():
        value = data.get(key)
        if isinstance(value, str) and value:
            values[column] = value[:limit]
    for column, key in BOOLEAN_FACTS.items():
        if isinstance(data.get(key), bool):
            values[column] = data[key]
    form = data.get("disposition_form")
    if isinstance(form, int) and not isinstance(form, bool) and 1 <= form <= 4:
        values["disposition_form"] = form
    measures = data.get("measures")
    if isinstance(measures, list) and measures and all(isinstance(m, str) and "|" not in m for m in measures):
        key = measures_key(measures)
        if len(key) <= MEASURES_LIMIT:
            values["measures"] = key
    visits = data.get("visit_count")
    if isinstance(visits, int) and not isinstance(visits, bool):
        values["visited"] = visits > 0
    return values
