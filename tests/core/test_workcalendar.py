import datetime as dt

import pytest
from django.test import override_settings

from qinqing.core import workcalendar as wc
from qinqing.core.models import CalendarOverride
from tests.conftest import at

D = dt.date

pytestmark = pytest.mark.django_db


class TestNationalCalendar:
    def test_national_day_2026_is_skipped(self):
        # 2026: Oct 1-7 off; Sep 30 (Wed) is the last working day before, Oct 8 (Thu) the first after.
        assert wc.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)

    def test_national_day_make_up_saturday_counts(self):
        # Saturday 2026-10-10 is a 调休 make-up workday.
        assert wc.is_workday(D(2026, 10, 10))
        assert wc.add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 10)
        assert wc.add_working_days(D(2026, 10, 9), 2) == D(2026, 10, 12)

    def test_spring_festival_2026(self):
        # Holiday Feb 15-23; Saturdays Feb 14 and Feb 28 are make-up workdays.
        assert wc.is_workday(D(2026, 2, 14))
        assert not wc.is_workday(D(2026, 2, 17))
        assert wc.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
        assert wc.add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)
        assert wc.is_workday(D(2026, 2, 28))

    def test_ten_working_days_across_national_day(self):
        # From Wed Sep 23: Sep 24, (Fri 25 is 中秋), 28, 29, 30, Oct 8, 9, Sat 10 (调休), 12, 13, 14.
        assert not wc.is_workday(D(2026, 9, 25))
        assert wc.add_working_days(D(2026, 9, 23), 10) == D(2026, 10, 14)
        assert wc.working_days_between(D(2026, 9, 24), D(2026, 10, 15)) == 10

    def test_plain_weekend(self):
        assert wc.add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 23)  # Fri -> Mon

    def test_zero_days_rolls_to_a_working_day(self):
        assert wc.add_working_days(D(2026, 10, 3), 0) == D(2026, 10, 8)
        assert wc.add_working_days(D(2026, 11, 16), 0) == D(2026, 11, 16)

    def test_negative_days_refused(self):
        with pytest.raises(ValueError):
            wc.add_working_days(D(2026, 11, 16), -1)

    def test_year_unknown_to_the_package_counts_weekends(self):
        assert wc.is_workday(D(2030, 6, 3))  # a Monday
        assert not wc.is_workday(D(2030, 6, 1))  # a Saturday


class TestLocalOverrides:
    def test_local_day_off_is_skipped(self):
        CalendarOverride.objects.create(day=D(2026, 11, 23), is_workday=False, note="台风停工")
        assert wc.add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 24)

    def test_local_extra_workday_counts(self):
        CalendarOverride.objects.create(day=D(2026, 11, 21), is_workday=True, note="补班")
        assert wc.add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 21)

    def test_deleting_override_restores_national_rule(self):
        o = CalendarOverride.objects.create(day=D(2026, 11, 23), is_workday=False)
        assert not wc.is_workday(D(2026, 11, 23))
        o.delete()
        assert wc.is_workday(D(2026, 11, 23))


class TestDeadlinesAndYellow:
    def test_deadline_is_end_of_the_nth_working_day(self):
        deadline = wc.deadline_after(at(2026, 9, 30, 16), 1)
        assert deadline == at(2026, 10, 8, 23, 59).replace(second=59)

    def test_yellow_for_a_one_day_step_starts_on_the_deadline_day(self):
        deadline = wc.deadline_after(at(2026, 11, 16), 1)  # Tue 17th
        assert wc.yellow_from(deadline, 1) == at(2026, 11, 17, 0, 0)

    def test_yellow_for_ten_days_is_the_last_two_working_days(self):
        # 20% of 10 = 2 working days: deadline Mon 30 Nov, so yellow from the start of Fri 27 Nov.
        deadline = wc.deadline_after(at(2026, 11, 16), 10)
        assert deadline.date() == D(2026, 11, 30)
        assert wc.yellow_from(deadline, 10) == at(2026, 11, 27, 0, 0)

    @override_settings(QINQING_YELLOW_SHARE_PERCENT=50)
    def test_yellow_share_is_configurable(self):
        deadline = wc.deadline_after(at(2026, 11, 16), 10)
        assert wc.yellow_from(deadline, 10) == at(2026, 11, 24, 0, 0)

    def test_yellow_skips_holidays_walking_back(self):
        # Deadline Thu Oct 8 with 5 days -> 20% = 1 day -> yellow from Oct 8 itself, not during the holiday.
        deadline = wc.end_of_day(D(2026, 10, 8))
        assert wc.yellow_from(deadline, 5) == at(2026, 10, 8, 0, 0)
        # With 10 days (2 working days back): Sep 30 is the working day before Oct 8.
        assert wc.yellow_from(deadline, 10) == at(2026, 9, 30, 0, 0)
