"""The figure groups of the 统计 pages and `GET /api/v1/stats/<group>`, each a function of (session, scope).

Every count is a `Count` whose case-list query totals to it; every group counts only the cases the reader
may read (need to know, the case list's rule). What each figure counts is said in the table's note.
"""

from __future__ import annotations

from sqlalchemy import func, select

from service.cases.stats.filters import NONE
from service.cases.stats.report import (
    Scope,
    Table,
    count_cells,
    days_between,
    duration_stats,
    present_combinations,
    present_values,
    share,
    vocabulary,
)
from service.models import Case, WorkItem

CADRE_LEVELS = ("厅局级", "县处级", "乡科级", "一般干部", "其他")
FORMS = {1: "第一种形态", 2: "第二种形态", 3: "第三种形态", 4: "第四种形态"}
MEASURES = (
    "谈话函询了结", "面对面初核了结", "谈话提醒", "警示谈话", "批评教育", "责令纠正（停止）违纪",
    "责成退出违纪所得", "限期整改", "责令检查", "民主生活会批评帮助", "责令公开道歉（检讨）", "通报批评", "诫勉",
    "其他教育措施", "党内警告", "党内严重警告", "政务警告", "政务记过", "政务记大过", "政务降级", "取消荣誉称号",
    "撤销政协委员资格", "终止（罢免）人大代表资格", "取消预备党员资格", "取消当选资格", "终止党代表资格",
    "停职检查", "调整（调离）职务或岗位", "免职", "引咎辞职", "责令辞职", "改任非领导职务", "提前退休",
    "降低退休待遇", "其他组织调整", "撤销党内职务", "留党察看（一年）", "留党察看（二年）", "开除党籍", "政务撤职",
    "开除公职", "降职",
)
SOURCES = ("信访举报", "巡视巡察移交", "审计/执法/司法移送", "监督检查发现", "上级交办", "下级报送", "主动交代")
CHANNELS = ("来信", "来访", "电话", "网络")
DISPOSALS = ("谈话函询", "初步核实", "暂存待查", "予以了结", "转送/退回", "留存备查")
TOLERANCE_RESULTS = ("免予问责", "不予问责", "从轻减轻问责", "不予容错")
FINDINGS = ("属实", "部分属实", "未查实但不能排除", "不实")
GRADES = ("好", "一般", "较差")
REPLY_TYPES = ("暂未发现影响提拔任用的问题", "不宜提拔任用", "建议暂缓，待查清后答复")
RECOMMENDED = "已向组织部门推荐使用"
COUNTING_RULE = ("计数规则：一人一案计一人次，按该案认定的最高形态计入（第四种 > 第三种 > 第二种 > 第一种）；"
                 "统计已办结的四种形态处置案件，期间按案件登记时间。")

FOUR_FORMS, CLUES, TOLERANCE = "four_forms_disposition", "clue_handling", "fault_tolerance"
CLEARANCE, FOLLOW_UP, INTEGRITY = "false_report_clearance", "follow_up_visit", "integrity_opinion"


def _levels(scope: Scope) -> list[str]:
    """The cadre-level rows: the one chosen in the filter, or every level and the unrecorded."""
    chosen = scope.facets.cadre_level
    return [chosen] if chosen else [*CADRE_LEVELS, NONE]


def four_forms(session, scope: Scope) -> tuple[str, list[Table], list[str]]:
    base = {"process_key": FOUR_FORMS, "status": "completed"}
    levels = _levels(scope)
    cells = {n: {"form": str(n)} for n in FORMS} | {"all": {"form": "any"}}
    cells |= {(lv, n): {"cadre_level": lv, "form": str(n) if n else "any"} for lv in levels for n in [*FORMS, 0]}
    cells |= {("measure", m): {"measure": m} for m in MEASURES}
    counted = count_cells(session, scope, base, cells)   # one statement for the three tables
    total = counted["all"].value
    by_form = [[FORMS[n], counted[n], share(counted[n].value, total)] for n in FORMS]
    by_form.append(["合计", counted["all"], share(total, total)])
    by_level = [[lv, *(counted[(lv, n)] for n in FORMS), counted[(lv, 0)],
                 share(counted[(lv, 0)].value, total)] for lv in levels]
    by_measure = [[m, counted[("measure", m)]] for m in MEASURES if counted[("measure", m)].value]
    return "四种形态", [
        Table("by_form", "各形态人次及占比", ["形态", "人次", "占比"], by_form, COUNTING_RULE),
        Table("by_cadre_level", "按干部层级", ["干部层级", *FORMS.values(), "合计", "占总人次"], by_level),
        Table("by_measure", "按处置措施", ["处置措施", "人次"], by_measure,
              "一案给予多项措施的，每项措施各计一次；未出现的措施不列出。"),
    ], []


def clues(session, scope: Scope) -> tuple[str, list[Table], list[str]]:
    base = {"process_key": CLUES}
    found = present_combinations(session, scope, base, (Case.clue_source, Case.clue_channel, Case.disposal))
    received = (("by_source", "按线索来源", "source", vocabulary(SOURCES, found[0])),
                ("by_channel", "按受理渠道", "channel", vocabulary(CHANNELS, found[1])))
    disposals = [*vocabulary(DISPOSALS, found[2]), NONE]
    statuses = ("open", "completed", None)
    cells: dict = {}
    for table_id, _title, facet, known in received:
        cells |= {(table_id, v, kind): {facet: v, **({"real_name": kind} if kind is not None else {})}
                  for v in [*known, NONE] for kind in (True, False, None)}
    cells |= {("disposal", v, s): {"disposal": v, **({"status": s} if s else {})} for v in disposals for s in statuses}
    cells |= {("feedback", s): {"task": "feedback_result", "task_state": s} for s in ("done", "on_time", "late")}
    cells |= {("proposed",): {"task": "propose_disposal", "task_state": "done"}}
    counted = count_cells(session, scope, base, cells)   # one statement for every count of the group
    tables = [Table(table_id, title, [title[1:], "实名", "匿名", "合计"],
                    [[v, *(counted[(table_id, v, kind)] for kind in (True, False, None))] for v in [*known, NONE]])
              for table_id, title, _facet, known in received]
    rows = [[v if v != NONE else "尚未提出处置意见", *(counted[("disposal", v, s)] for s in statuses)]
            for v in disposals]
    tables.append(Table("by_disposal", "处置方式", ["处置方式", "办理中", "已办结", "合计"], rows,
                        "处置方式按承办人提出、经审批的处置意见计。"))
    tables.append(_disposal_time(session, scope, base, counted[("proposed",)]))
    feedback = [counted[("feedback", s)] for s in ("done", "on_time", "late")]
    tables.append(Table("feedback", "实名举报结果反馈", ["项目", "已反馈（件）", "按期反馈", "超期反馈", "按期率"],
                        [["结果反馈", *feedback, share(feedback[1].value, feedback[1].value + feedback[2].value)]],
                        "按期：反馈步骤在其办理期限内完成。"))
    return "问题线索", tables, ["期间按线索登记时间；用时按自然日计。"]


def _disposal_time(session, scope: Scope, base: dict, done) -> Table:
    """Days from registration to the (last) disposal proposal, over clues that have one."""
    last = (select(WorkItem.case_id, Case.created_at, WorkItem.completed_at)
            .join(Case, Case.id == WorkItem.case_id)
            .where(scope.where(**base), WorkItem.bpmn_id == "propose_disposal", WorkItem.resolution == "completed")
            .subquery())
    per_case = (select(last.c.case_id, days_between(scope.dialect, func.min(last.c.created_at),
                                                    func.max(last.c.completed_at)).label("d"))
                .group_by(last.c.case_id))
    stats = duration_stats(session, per_case, []).get((), {"avg": None, "p50": None, "p90": None})
    return Table("disposal_time", "处置用时（自然日）",
                 ["项目", "已提出处置意见（件）", "平均用时", "中位用时", "90%用时"],
                 [["线索处置", done, stats["avg"], stats["p50"], stats["p90"]]],
                 "自线索登记至承办人最后一次提出处置意见。")


def tolerance(session, scope: Scope) -> tuple[str, list[Table], list[str]]:
    base = {"process_key": TOLERANCE}
    found = present_values(session, scope, {**base, "status": "completed"}, Case.outcome)
    results = vocabulary(TOLERANCE_RESULTS, found)
    cells = {"all": {}, "open": {"status": "open"}, "completed": {"status": "completed"}}
    cells |= {r: {"status": "completed", "outcome": r} for r in results}
    counted = count_cells(session, scope, base, cells)
    done = counted["completed"].value
    rows = [["申请（启动）", counted["all"], ""], ["办理中", counted["open"], ""], ["已办结", counted["completed"], ""]]
    rows += [[r, counted[r], share(counted[r].value, done)] for r in results]
    return "容错纠错", [Table("results", "容错纠错办理结果", ["项目", "件数", "占已办结"], rows)], []


def clearance(session, scope: Scope) -> tuple[str, list[Table], list[str]]:
    base = {"process_key": CLEARANCE}
    findings = vocabulary(FINDINGS, present_values(session, scope, base, Case.finding))
    cells = {f: {"finding": f} for f in findings} | {"all": {}, NONE: {"finding": NONE}}
    cells |= {"untrue": {"finding": "不实", "status": "completed"}, "cleared": {"cleared": True},
              "false": {"report_type": "诬告"}, "false_done": {"report_type": "诬告", "status": "completed"},
              "mistaken": {"report_type": "错告"}}
    c = count_cells(session, scope, base, cells)
    by_finding = [["全部", c["all"]], *([f, c[f]] for f in findings), ["尚未认定", c[NONE]]]
    rate = [["认定不实（已办结）", c["untrue"]], ["已澄清正名", c["cleared"]],
            ["应澄尽澄率", share(c["cleared"].value, c["untrue"].value)]]
    accusation = [["认定诬告陷害", c["false"]], ["其中已处理完毕", c["false_done"]], ["认定错告", c["mistaken"]]]
    return "澄清正名", [
        Table("by_finding", "核实认定结果", ["认定结果", "件数"], by_finding),
        Table("clearance_rate", "澄清正名", ["项目", "数值"], rate, "应澄尽澄率 = 已澄清正名 ÷ 认定不实（已办结）。"),
        Table("false_accusation", "诬告陷害", ["项目", "件数"], accusation),
    ], []


def follow_up(session, scope: Scope) -> tuple[str, list[Table], list[str]]:
    base = {"process_key": FOLLOW_UP}
    cells = {"due": {}, "visited": {"visited": True}, "recommended": {"outcome": RECOMMENDED}}
    cells |= {g: {"grade": g} for g in GRADES}
    c = count_cells(session, scope, base, cells)
    rate = [["应回访", c["due"]], ["已回访", c["visited"]], ["回访率", share(c["visited"].value, c["due"].value)],
            ["推荐使用", c["recommended"]]]
    grades = [[g, c[g], share(c[g].value, c["visited"].value)] for g in GRADES]
    return "回访教育", [
        Table("visit_rate", "回访率", ["项目", "数值"], rate,
              "应回访：期间内启动的回访案件；回访率 = 已回访 ÷ 应回访。"),
        Table("grades", "回访评价", ["评价", "人数", "占已回访"], grades),
    ], []


def integrity_opinions(session, scope: Scope) -> tuple[str, list[Table], list[str]]:
    base = {"process_key": INTEGRITY}
    replies = vocabulary(REPLY_TYPES, present_values(session, scope, {**base, "status": "completed"}, Case.outcome))
    cells = {"all": {}, "open": {"status": "open"}, "completed": {"status": "completed"}}
    cells |= {r: {"status": "completed", "outcome": r} for r in replies}
    c = count_cells(session, scope, base, cells)
    rows = [["收到请求", c["all"], ""], ["办理中", c["open"], ""], ["已答复", c["completed"], ""]]
    rows += [[r, c[r], share(c[r].value, c["completed"].value)] for r in replies]
    days = select(days_between(scope.dialect, Case.created_at, Case.closed_at).label("d")).where(
        scope.where(**base, status="completed"), Case.closed_at.is_not(None))
    stats = duration_stats(session, days, []).get((), {"avg": None, "p50": None, "p90": None})
    timing = [["答复用时", c["completed"], stats["avg"], stats["p50"], stats["p90"]]]
    return "党风廉政意见回复", [
        Table("replies", "意见回复", ["项目", "件数", "占已答复"], rows),
        Table("reply_time", "答复用时（自然日）", ["项目", "已答复（件）", "平均", "中位", "90%"], timing,
              "自登记请求至办结。"),
    ], []
