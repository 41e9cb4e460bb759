"""Timeliness: for every process and user task, how often it was done, how long it took, whether in time."""

from __future__ import annotations

from sqlalchemy import and_, case, distinct, func, select

from service.cases.stats.report import Count, Scope, Table, days_between, duration_stats, share
from service.models import Case, DeadlineExtension, DeadlineSuspension, WorkItem

COLUMNS = ["流程", "步骤", "办理次数", "办结案件", "中位用时", "90%用时", "按期办结率", "按期办结案件", "超期办结案件",
           "当前逾期案件", "延期案件", "中止案件"]
NOTE = ("用时：步骤生成至完成，自然日。按期办结率按办理次数计（有办理期限的步骤）；案件数为至少有一次该情形的案件。"
        "当前逾期：步骤未完成且已过期限。延期、中止：经批准延长期限、曾中止计时。")


def _case_counts(session, scope: Scope, join_table, join_on, where) -> dict[tuple, int]:
    query = (select(Case.process_key, WorkItem.bpmn_id, func.count(distinct(WorkItem.case_id)))
             .select_from(WorkItem).join(Case, Case.id == WorkItem.case_id).join(join_table, join_on)
             .where(scope.where(), where).group_by(Case.process_key, WorkItem.bpmn_id))
    return {(pk, b): n for pk, b, n in session.execute(query)}


def timeliness(session, scope: Scope, process_names: dict[str, str]) -> tuple[str, list[Table], list[str]]:
    done = WorkItem.resolution == "completed"
    has_due = and_(done, WorkItem.due_at.is_not(None))
    on_time = and_(has_due, WorkItem.completed_at <= WorkItem.due_at)
    late = and_(has_due, WorkItem.completed_at > WorkItem.due_at)
    overdue = and_(WorkItem.completed_at.is_(None), WorkItem.due_at < scope.now)
    grouped = session.execute(
        select(Case.process_key, WorkItem.bpmn_id, func.max(WorkItem.title),
               func.count(case((done, 1))), func.count(case((has_due, 1))), func.count(case((on_time, 1))),
               func.count(distinct(case((done, WorkItem.case_id)))),
               func.count(distinct(case((on_time, WorkItem.case_id)))),
               func.count(distinct(case((late, WorkItem.case_id)))),
               func.count(distinct(case((overdue, WorkItem.case_id)))))
        .select_from(WorkItem).join(Case, Case.id == WorkItem.case_id).where(scope.where())
        .group_by(Case.process_key, WorkItem.bpmn_id).order_by(Case.process_key, func.min(WorkItem.id))).all()
    extended = _case_counts(session, scope, DeadlineExtension,
                            and_(DeadlineExtension.task_id == WorkItem.task_id, DeadlineExtension.status == "approved"),
                            True)
    approved = and_(DeadlineSuspension.task_id == WorkItem.task_id, DeadlineSuspension.status == "approved")
    suspended = _case_counts(session, scope, DeadlineSuspension, approved, True)
    durations = duration_stats(session, select(
        Case.process_key.label("pk"), WorkItem.bpmn_id.label("bpmn"),
        days_between(scope.dialect, WorkItem.created_at, WorkItem.completed_at).label("d"))
        .select_from(WorkItem).join(Case, Case.id == WorkItem.case_id).where(scope.where(), done), ["pk", "bpmn"])
    rows = []
    for pk, bpmn, title, passages, with_due, in_time, n_done, n_on_time, n_late, n_overdue in grouped:
        def cell(value: int, state: str, pk=pk, bpmn=bpmn) -> Count:
            return Count(value, scope.url({"process_key": pk}, {"task": bpmn, "task_state": state}))
        d = durations.get((pk, bpmn), {})
        rows.append([process_names.get(pk, pk), title, passages, cell(n_done, "done"), d.get("p50"), d.get("p90"),
                     share(in_time, with_due), cell(n_on_time, "on_time"), cell(n_late, "late"),
                     cell(n_overdue, "overdue"), cell(extended.get((pk, bpmn), 0), "extended"),
                     cell(suspended.get((pk, bpmn), 0), "suspended")])
    return "办理时效", [Table("tasks", "各流程步骤办理时效", COLUMNS, rows, NOTE)], ["用时按自然日计。"]
