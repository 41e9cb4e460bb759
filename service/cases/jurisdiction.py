"""干部管理权限 (issue 13 point 7; domain.md §2 step 1, §8.3): at registration, the subject's cadre level and
whether the subject is this body's own head decide whether the clue is ours.

A clue about a cadre managed by a higher body goes to this body's head and on to the higher body; a clue
about this body's head goes straight up. Neither may widen the circle, be copied or excerpted, or be entered
in the platform ([S10 art.15]): the case keeps the minimum record (clue number, dates, who it is about, the
level, where it went), never the content of the report nor the reporter's identity, and only intake and the
principal read it (`restricted_circle`, applied by org.access.readable_cases); about the head, intake only.

Which levels the body manages is the process setting `managed_cadre_levels` (default 乡科级 and below)."""

from __future__ import annotations

from workflows.specs import ProcessBundle

CADRE_LEVELS = ("厅局级", "县处级", "乡科级", "一般干部", "其他")
DEFAULT_MANAGED_LEVELS = ("乡科级", "一般干部", "其他")
SETTING = "managed_cadre_levels"
HIGHER_CADRE = "上级管理干部"     # read by intake and the principal
BODY_HEAD = "本机关主要负责人"     # read by intake only: the principal is the subject
CIRCLE_KEY = "restricted_circle"
BODY_HEAD_KEY = "subject_is_body_head"
HIGHER = "上级"
WITHHELD = "（按规定不录入：反映上级管理干部或本机关主要负责人的问题线索，原件直接转送，不复制、不摘抄）"
CONTENT_KEYS = ("allegation_summary",)   # the report's content: replaced by WITHHELD in the kept record


def is_registration(form: dict | None) -> bool:
    """A form that registers a clue: it asks for the subject's cadre level and decides jurisdiction."""
    props = (form or {}).get("properties") or {}
    return "cadre_level" in props and "jurisdiction" in props


def restricted_circle(data: dict, managed_levels) -> str:
    """'' when the clue is ours; HIGHER_CADRE or BODY_HEAD when it goes to the higher body."""
    if data.get(BODY_HEAD_KEY) is True:
        return BODY_HEAD
    level = data.get("cadre_level")
    if level in CADRE_LEVELS and level not in set(managed_levels):
        return HIGHER_CADRE
    return ""


def at_registration(bundle: ProcessBundle, form_key: str | None, data: dict, reporter: dict) -> tuple[dict, dict]:
    """(case data, reporter fields) as the case may keep them after a registration step: for a clue that goes
    up, jurisdiction 上级, the content withheld, no reporter identity. Other steps pass through unchanged."""
    if not is_registration(bundle.forms.get(form_key) if form_key else None):
        return data, reporter
    circle = restricted_circle(data, bundle.settings.get(SETTING, DEFAULT_MANAGED_LEVELS))
    kept = {**data, CIRCLE_KEY: circle}   # always computed here, never taken from the submission
    if not circle:
        return kept, reporter
    kept.update({key: WITHHELD for key in CONTENT_KEYS if key in kept}, jurisdiction=HIGHER)
    return kept, {}
