"""Working-day calendar: official 2026 schedule, rolling, overrides, missing years, inverse property."""

from datetime import UTC, date, datetime, timedelta

import pytest

from workflows.calendar import (
    Override,
    WorkCalendar,
    add_workdays,
    roll_forward,
    workdays_between,
)

CAL = WorkCalendar()


def test_fifteen_working_days_from_2026_09_25_cross_national_day_and_its_make_up_saturday():
    # Official 2026 schedule (library data): 中秋 Sep 25 (Fri) off with the weekend; 国庆 Oct 1–7 off;
    # make-up working days Sun Sep 20 and Sat Oct 10. Counting starts the day after Sep 25:
    # Sep 28, 29, 30 (1-3), Oct 8, 9 (4-5), Sat Oct 10 make-up (6), Oct 12-16 (7-11), Oct 19-22 (12-15).
    assert not CAL.is_workday("2026-10-01") and not CAL.is_workday("2026-10-07")
    assert CAL.is_workday("2026-09-20") and CAL.is_workday("2026-10-10")
    assert add_workdays("2026-09-25", 15) == date(2026, 10, 22)
    assert workdays_between("2026-09-25", "2026-10-22") == 15


def test_spring_festival_2026_skips_the_holiday_and_counts_the_make_up_saturdays():
    # 春节 2026: Feb 15–23 off; Sat Feb 14 and Sat Feb 28 are make-up working days.
    assert CAL.add_workdays(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert CAL.add_workdays(date(2026, 2, 13), 2) == date(2026, 2, 24)
    # Feb 24-27 (1-4), Sat Feb 28 (5), Mar 2 (6).
    assert CAL.add_workdays(date(2026, 2, 23), 6) == date(2026, 3, 2)


def test_a_plain_week_counts_monday_to_friday():
    assert CAL.add_workdays(date(2025, 3, 7), 1) == date(2025, 3, 10)  # Fri -> Mon
    assert CAL.add_workdays(date(2025, 3, 10), 5) == date(2025, 3, 17)
    assert CAL.workdays_between(date(2025, 3, 10), date(2025, 3, 14)) == 4
    assert CAL.add_workdays(date(2025, 3, 10), 0) == date(2025, 3, 10)


def test_a_deadline_ending_on_a_sunday_rolls_to_monday():
    assert roll_forward("2025-03-09") == date(2025, 3, 10)
    assert CAL.add_workdays(date(2025, 3, 9), 0) == date(2025, 3, 10)


def test_a_make_up_working_sunday_is_not_rolled():
    assert date(2026, 9, 20).weekday() == 6
    assert roll_forward(date(2026, 9, 20)) == date(2026, 9, 20)


def test_an_override_closure_moves_a_deadline():
    closed = WorkCalendar([Override(date(2025, 3, 12), False, "台风停工")])
    assert CAL.add_workdays(date(2025, 3, 10), 2) == date(2025, 3, 12)
    assert closed.add_workdays(date(2025, 3, 10), 2) == date(2025, 3, 13)
    assert closed.roll_forward("2025-03-12") == date(2025, 3, 13)
    assert add_workdays("2025-03-10", 2, calendar=closed) == date(2025, 3, 13)


def test_an_override_make_up_day_counts_as_a_working_day():
    cal = WorkCalendar([Override("2025-03-15", True, "集中办公")])
    assert cal.is_workday(date(2025, 3, 15))
    assert cal.add_workdays(date(2025, 3, 14), 1) == date(2025, 3, 15)
    assert cal.roll_forward(date(2025, 3, 15)) == date(2025, 3, 15)


def test_contradictory_overrides_for_one_day_are_rejected():
    with pytest.raises(ValueError):
        WorkCalendar([Override(date(2025, 3, 12), False, "a"), Override(date(2025, 3, 12), True, "b")])


TIAOXIU_UNKNOWN = ("{year} 年的调休安排尚未录入：法定节假日已计入，调休上班日和调休放假日未计入，"
                   "请管理员在节假日调整表中补录。")


def test_a_year_without_tiaoxiu_data_still_knows_its_statutory_holidays():
    """元旦 2027 is a holiday although chinese_calendar has no 2027 data (correction 13)."""
    assert not CAL.has_data(2027)
    assert not CAL.is_workday(date(2027, 1, 1))
    assert CAL.add_workdays(date(2026, 12, 30), 3) == date(2027, 1, 5)  # 12-31, (元旦, weekend), 01-04, 01-05
    assert CAL.warnings_for(date(2027, 1, 1)) == [TIAOXIU_UNKNOWN.format(year=2027)]


@pytest.mark.parametrize("day", [
    date(2031, 1, 1),     # 元旦
    date(2031, 1, 22),    # 除夕 (lunar)
    date(2031, 1, 23),    # 春节 (lunar)
    date(2031, 4, 7),     # 补假 on Monday for 清明, which falls on Saturday 2031-04-05
    date(2031, 5, 1),     # 劳动节
    date(2031, 6, 24),    # 端午 (lunar)
    date(2031, 10, 1),    # 国庆
])
def test_statutory_holidays_of_an_uncovered_year_are_not_working_days(day):
    assert not CAL.has_data(day.year)
    assert day.weekday() < 5 and not CAL.is_workday(day), day


def test_an_uncovered_year_warns_that_only_tiaoxiu_is_unknown():
    assert CAL.add_workdays(date(2031, 1, 3), 1) == date(2031, 1, 6)  # Fri -> Mon
    assert CAL.roll_forward(date(2031, 1, 4)) == date(2031, 1, 6)
    assert CAL.warnings_for("2026-12-20", "2031-01-06") == [TIAOXIU_UNKNOWN.format(year=y) for y in range(2027, 2032)]
    assert all("调休" in w and "法定节假日已计入" in w for w in CAL.warnings_for(date(2031, 1, 1)))
    assert CAL.warnings_for(date(2026, 10, 22)) == []


def test_overrides_can_declare_a_year_covered_and_fill_its_holidays():
    rows = [Override(date(2031, 1, 1), False, "元旦")]
    cal = WorkCalendar(rows, covered_years=[2031])
    assert cal.has_data(2031) and cal.warnings_for("2031-06-01") == []
    assert cal.add_workdays(date(2030, 12, 31), 1) == date(2031, 1, 2)


def test_between_is_the_inverse_of_add_for_every_day_of_2025_and_2026():
    for offset in range(730):
        start = date(2025, 1, 1) + timedelta(days=offset)
        for n in (1, 5, 15):
            due = CAL.add_workdays(start, n)
            assert CAL.is_workday(due)
            assert CAL.workdays_between(start, due) == n, (start, n)


def test_between_on_a_rest_day_and_in_reverse_order():
    # Oct 1-7 2026 are rest days: (Sep 30, Oct 7] holds no working day, (Sep 25, Oct 7] holds three.
    assert CAL.workdays_between("2026-09-30", "2026-10-07") == 0
    assert CAL.workdays_between("2026-09-25", "2026-10-07") == 3
    assert CAL.workdays_between("2026-10-22", "2026-09-25") == -15


def test_inputs_accept_dates_datetimes_and_iso_strings():
    assert CAL.add_workdays(datetime(2025, 3, 7, 9, 30), 1) == date(2025, 3, 10)
    assert CAL.add_workdays("2025-03-07T09:30:00+08:00", 1) == date(2025, 3, 10)
    # 2025-03-07 20:00 UTC is already Saturday in Beijing.
    assert CAL.roll_forward(datetime(2025, 3, 7, 20, 0, tzinfo=UTC)) == date(2025, 3, 10)
    with pytest.raises(ValueError):
        CAL.add_workdays("not a date", 1)
    with pytest.raises(ValueError):
        CAL.add_workdays("2025-03-07", -1)
    with pytest.raises(TypeError):
        CAL.add_workdays("2025-03-07", True)


def test_deadline_at_is_the_end_of_the_due_day_in_china_time():
    due = CAL.deadline_at("2026-09-25", 15)
    assert due.isoformat() == "2026-10-22T23:59:59+08:00"


def test_the_calendar_is_immutable():
    with pytest.raises(AttributeError):
        CAL.covered_years = frozenset({2031})
