"""Timeliness: for every process and user task, how often it was done, how long it took, whether in time."""

from __future__ import annotations

from sqlalchemy import and_, case, distinct, func, select

from service.cases.stats.report import Count, Scope, Table, days_between, share
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
    # One pass over the work items: each ranked by its time among the done items of its step (for the median
    # and p90), then every count and percentile of the step grouped from the ranked rows.
    is_done = case((WorkItem.resolution == "completed", 1), else_=0)
    spent = case((WorkItem.resolution == "completed",
                  days_between(scope.dialect, WorkItem.created_at, WorkItem.completed_at)))
    step = [Case.process_key, WorkItem.bpmn_id, is_done]
    r = (select(Case.process_key.label("pk"), WorkItem.bpmn_id.label("bpmn"), WorkItem.title.label("title"),
                WorkItem.case_id.label("case_id"), WorkItem.due_at.label("due_at"),
                WorkItem.completed_at.label("completed_at"), is_done.label("done"), spent.label("d"),
                func.row_number().over(partition_by=step, order_by=spent).label("rn"),
                func.count().over(partition_by=step).label("n"))
         .select_from(WorkItem).join(Case, Case.id == WorkItem.case_id).where(scope.where()).subquery())
    done = r.c.done == 1
    has_due = and_(done, r.c.due_at.is_not(None))
    on_time = and_(has_due, r.c.completed_at <= r.c.due_at)
    late = and_(has_due, r.c.completed_at > r.c.due_at)
    overdue = and_(r.c.completed_at.is_(None), r.c.due_at < scope.now)
    grouped = session.execute(
        select(r.c.pk, r.c.bpmn, func.max(r.c.title),
               func.count(case((done, 1))), func.count(case((has_due, 1))), func.count(case((on_time, 1))),
               func.count(distinct(case((done, r.c.case_id)))), func.count(distinct(case((on_time, r.c.case_id)))),
               func.count(distinct(case((late, r.c.case_id)))), func.count(distinct(case((overdue, r.c.case_id)))),
               func.min(case((and_(done, r.c.rn * 2 >= r.c.n), r.c.d))),
               func.min(case((and_(done, r.c.rn * 10 >= r.c.n * 9), r.c.d))))
        .group_by(r.c.pk, r.c.bpmn).order_by(r.c.pk, r.c.bpmn)).all()
    extended = _case_counts(session, scope, DeadlineExtension,
                            and_(DeadlineExtension.task_id == WorkItem.task_id, DeadlineExtension.status == "approved"),
                            True)
    approved = and_(DeadlineSuspension.task_id == WorkItem.task_id, DeadlineSuspension.status == "approved")
    suspended = _case_counts(session, scope, DeadlineSuspension, approved, True)
    rows = []
    for pk, bpmn, title, passages, with_due, in_time, n_done, n_on_time, n_late, n_overdue, p50, p90 in grouped:
        def cell(value: int, state: str, pk=pk, bpmn=bpmn) -> Count:
            return Count(value, scope.url({"process_key": pk}, {"task": bpmn, "task_state": state}))
        rows.append([process_names.get(pk, pk), title, passages, cell(n_done, "done"), _days(p50), _days(p90),
                     share(in_time, with_due), cell(n_on_time, "on_time"), cell(n_late, "late"),
                     cell(n_overdue, "overdue"), cell(extended.get((pk, bpmn), 0), "extended"),
                     cell(suspended.get((pk, bpmn), 0), "suspended")])
    return "办理时效", [Table("tasks", "各流程步骤办理时效", COLUMNS, rows, NOTE)], ["用时按自然日计。"]


def _days(value) -> float | None:
    return None if value is None else round(float(value), 1)
