"""The figures expected from the generated rows, by plain Python: for a table cell named by its group, table,
row label and column, the number of visible rows it should count (independent of the SQL under test)."""

from __future__ import annotations

from datetime import datetime

from tests.stats.dataset import Row, days, nearest_rank

FORMS = {"第一种形态": 1, "第二种形态": 2, "第三种形态": 3, "第四种形态": 4}
NONE = "未登记"


def _fact(row: Row, name: str):
    return row.facts.get(name)


def _label_value(label: str):
    return None if label in (NONE, "尚未提出处置意见", "尚未认定") else label


def _done(item) -> bool:
    return item["resolution"] == "completed"


def _on_time(item) -> bool:
    return _done(item) and item["due_at"] is not None and item["completed_at"] <= item["due_at"]


def _late(item) -> bool:
    return _done(item) and item["due_at"] is not None and item["completed_at"] > item["due_at"]


def item_state(item, state: str, now: datetime) -> bool:
    return {"done": _done, "on_time": _on_time, "late": _late,
            "overdue": lambda i: i["completed_at"] is None and i["due_at"] is not None and i["due_at"] < now,
            "extended": lambda i: i.get("extension") == "approved",
            "suspended": lambda i: bool(i.get("suspended"))}[state](item)


def has_item(row: Row, bpmn_id: str, state: str, now: datetime) -> bool:
    return any(i["bpmn_id"] == bpmn_id and item_state(i, state, now) for i in row.items)


def _status(column: str):
    return {"办理中": "open", "已办结": "completed"}.get(column)


def predicate(group: str, table: str, row: list, column: str, now: datetime):
    """A test on a Row for the count cell at (row, column), or None when the cell is not a count."""
    label = row[0]
    if group == "four-forms":
        base = lambda r: r.process_key == "four_forms_disposition" and r.status == "completed"  # noqa: E731
        form = lambda r: _fact(r, "disposition_form")  # noqa: E731
        if table == "by_form":
            if label == "合计":
                return lambda r: base(r) and form(r) is not None
            return lambda r: base(r) and form(r) == FORMS[label]
        if table == "by_cadre_level":
            level = _label_value(label)
            wanted = FORMS.get(column)
            return lambda r: base(r) and _fact(r, "cadre_level") == level and (
                form(r) == wanted if wanted else form(r) is not None)
        if table == "by_measure":
            return lambda r: base(r) and f"|{label}|" in (_fact(r, "measures") or "")
    if group == "clues":
        base = lambda r: r.process_key == "clue_handling"  # noqa: E731
        if table in ("by_source", "by_channel"):
            fact = "clue_source" if table == "by_source" else "clue_channel"
            named = {"实名": True, "匿名": False}.get(column)
            return lambda r: base(r) and _fact(r, fact) == _label_value(label) and (
                named is None or _fact(r, "real_name") is named)
        if table == "by_disposal":
            status = _status(column)
            return lambda r: base(r) and _fact(r, "disposal") == _label_value(label) and (
                status is None or r.status == status)
        if table == "disposal_time":
            return lambda r: base(r) and has_item(r, "propose_disposal", "done", now)
        if table == "feedback":
            state = {"已反馈（件）": "done", "按期反馈": "on_time", "超期反馈": "late"}[column]
            return lambda r: base(r) and has_item(r, "feedback_result", state, now)
    if group == "timeliness":
        state = {"办结案件": "done", "按期办结案件": "on_time", "超期办结案件": "late", "当前逾期案件": "overdue",
                 "延期案件": "extended", "中止案件": "suspended"}[column]
        return lambda r: r.process_key == label and has_item(r, row[1], state, now)
    if group in ("tolerance", "integrity-opinions"):
        key = "fault_tolerance" if group == "tolerance" else "integrity_opinion"
        if table == "reply_time":
            return lambda r: r.process_key == key and r.status == "completed"
        status = {"办理中": "open", "已办结": "completed", "已答复": "completed"}.get(label)
        if label in ("申请（启动）", "收到请求"):
            return lambda r: r.process_key == key
        if status:
            return lambda r: r.process_key == key and r.status == status
        return lambda r: r.process_key == key and r.status == "completed" and r.outcome == label
    if group == "clearance":
        base = lambda r: r.process_key == "false_report_clearance"  # noqa: E731
        tests = {"全部": lambda r: True,
                 "认定不实（已办结）": lambda r: _fact(r, "finding") == "不实" and r.status == "completed",
                 "已澄清正名": lambda r: _fact(r, "cleared") is True,
                 "认定诬告陷害": lambda r: _fact(r, "report_type") == "诬告",
                 "其中已处理完毕": lambda r: _fact(r, "report_type") == "诬告" and r.status == "completed",
                 "认定错告": lambda r: _fact(r, "report_type") == "错告"}
        test = tests.get(label) or (lambda r: _fact(r, "finding") == _label_value(label))
        return lambda r: base(r) and test(r)
    if group == "follow-up":
        base = lambda r: r.process_key == "follow_up_visit"  # noqa: E731
        tests = {"应回访": lambda r: True, "已回访": lambda r: _fact(r, "visited") is True,
                 "推荐使用": lambda r: r.outcome == "已向组织部门推荐使用"}
        test = tests.get(label) or (lambda r: _fact(r, "grade") == label)
        return lambda r: base(r) and test(r)
    raise AssertionError(f"no expectation for {group}/{table}/{label}/{column}")


def durations(group: str, table: str, row: list, rows: list[Row], now: datetime) -> dict:
    """Expected avg / median / p90 days of a duration row (rounded as the service rounds)."""
    if group == "clues":
        values = [days(r.created_at, max(i["completed_at"] for i in r.items
                                         if i["bpmn_id"] == "propose_disposal" and _done(i)))
                  for r in rows if r.process_key == "clue_handling" and has_item(r, "propose_disposal", "done", now)]
    elif group == "integrity-opinions":
        values = [days(r.created_at, r.closed_at) for r in rows
                  if r.process_key == "integrity_opinion" and r.status == "completed"]
    else:   # timeliness: one value per completed passage of the step
        values = [days(i["created_at"], i["completed_at"]) for r in rows if r.process_key == row[0]
                  for i in r.items if i["bpmn_id"] == row[1] and _done(i)]
    rounded = lambda v: None if v is None else round(v, 1)  # noqa: E731
    return {"avg": rounded(sum(values) / len(values)) if values else None,
            "p50": rounded(nearest_rank(values, 50)), "p90": rounded(nearest_rank(values, 90))}
