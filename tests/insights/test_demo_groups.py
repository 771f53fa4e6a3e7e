"""The demo city's common-issue candidates are real common problems: every group proposed holds one shared problem
of ``seed_demo``'s texts (told in different words by different enterprises), never unrelated appeals, and no
contact name, phone number or address is a keyword."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from qinqing.accounts.models import User
from qinqing.appeals.management.commands import _demo_appeals as demo
from qinqing.enterprises.models import Contact
from qinqing.insights import services
from qinqing.insights.models import AppealText

pytestmark = pytest.mark.django_db


def problem_of(text: str) -> str:
    for code, texts in demo.COMMON.items():
        if any(text in (title, content) for title, content in texts):
            return f"common:{code}"
    for code, texts in demo.SINGLE.items():
        for i, (title, content) in enumerate(texts):
            if text in (title, content):
                return f"single:{code}:{i}"
    raise AssertionError(f"not a demo text: {text}")


def test_every_demo_candidate_is_one_shared_problem():
    call_command("seed_demo", appeals=150, stdout=io.StringIO())
    AppealText.objects.fill_missing()
    today = timezone.localdate()
    personal = set(Contact.objects.values_list("name", flat=True)) | set(
        Contact.objects.values_list("mobile", flat=True)
    )
    seen = 0
    for username in ("diaodu", "dongcheng"):
        user = User.objects.get(username=username)
        for days in (14, 30, 130):
            groups = services.candidate_groups(user, start=today - dt.timedelta(days=days), end=today)
            for g in groups:
                problems = {problem_of(m["title"]) for m in g["members"]}
                problems |= {problem_of(m["content"].split("联系人：")[0]) for m in g["members"]}
                assert len(problems) == 1 and problems.pop().startswith("common:"), [
                    (m["title"], m["enterprise__name"]) for m in g["members"]
                ]
                assert len(g["enterprises"]) >= 2
                assert not personal & set(g["keywords"]), g["keywords"]
            seen += len(groups)
    assert seen >= 10  # the demo does have common problems to show
