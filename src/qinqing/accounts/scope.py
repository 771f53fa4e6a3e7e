"""The region or department a staff account works in. ``User.clean`` requires one for the roles that need it
(an office, a leader, an officer or a supervisor has a region; a handler or department head a department), but
the columns are nullable for the other roles. Code that serves only those roles reads them through these, so a
misconfigured account answers 404 like anything else it may not see, never a 500."""

from django.http import Http404

from qinqing.accounts.models import User
from qinqing.organisation.models import Department, Region


def region_of(user: User) -> Region:
    if user.region is None:
        raise Http404("账号未设置管辖区划")
    return user.region


def department_of(user: User) -> Department:
    if user.department is None:
        raise Http404("账号未设置所属部门")
    return user.department
