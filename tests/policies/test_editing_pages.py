"""The policy library edited on pages (issue 15: conditions are data edited on a page): the same inputs and the
same actions as the API, so the same steps through both doors store the same library; the refused personas get
403/404; bad input redisplays the form with the service's Chinese error and saves nothing."""

import pytest

from qinqing.policies.models import Condition, GateRule, PolicyDocument, PolicyItem
from tests.policies.test_permissions_and_pages import api, client_for

pytestmark = pytest.mark.django_db

DOCUMENT = {
    "number": "青政发〔2026〕9号",
    "title": "青川市稳就业若干措施",
    "issuer": "青川市人民政府",
    "level": "city",
    "region_code": "339900",
    "published_on": "2026-02-01",
}
ITEM = {
    "name": "吸纳就业补贴",
    "kind": "subsidy",
    "mode": "automatic",
    "amount_rule": "固定 2",
    "amount_cap": "5",
    "closes_on": "2026-12-31",
    "beneficiaries": "新吸纳就业的中小企业",
    "limit_days": "30",
}
CONDITION = {"attribute": "employees", "operator": "gte", "value": "10", "clause": "第二条"}
SPARE = {"attribute": "scale", "operator": "scale_in", "value": "小型,微型", "clause": "第三条"}
GATE = {"effect": "refuse", "kinds": "serious", "measure": "严重失信主体限制享受财政补贴"}

DOCUMENT_FIELDS = ("number", "title", "issuer", "level", "region_id", "published_on")
ITEM_FIELDS = (
    "name",
    "kind",
    "mode",
    "department_id",
    "amount_rule",
    "amount_cap",
    "closes_on",
    "limit_days",
)


def _stored(item: PolicyItem) -> dict:
    item.refresh_from_db()
    return {
        "document": {f: getattr(item.document, f) for f in DOCUMENT_FIELDS},
        "item": {f: getattr(item, f) for f in ITEM_FIELDS} | {"active": item.active},
        "conditions": list(item.conditions.values_list("attribute", "operator", "value", "clause")),
        "gates": list(item.gates.values_list("effect", "kinds", "measure")),
    }


def _through_pages(world, user) -> PolicyItem:
    c = client_for(user)
    r = c.post("/policies/", {"do": "create_document", **DOCUMENT})
    assert r.status_code == 302, r.content.decode()
    doc = PolicyDocument.objects.get(number=DOCUMENT["number"])
    body = ITEM | {"document_id": doc.pk, "department_id": world.hr.pk, "active": "True"}
    r = c.post("/policies/", {"do": "create_item", **body})
    item = PolicyItem.objects.get(document=doc)
    assert r.status_code == 302 and r["Location"] == f"/policies/items/{item.pk}/"
    page = f"/policies/items/{item.pk}/"
    assert c.post(page, {"do": "update_item", **body, "amount_rule": "固定 3"}).status_code == 302
    assert c.post(page, {"do": "add_condition", **CONDITION}).status_code == 302
    assert c.post(page, {"do": "add_condition", **SPARE}).status_code == 302
    spare = item.conditions.get(attribute="scale")
    assert c.post(page, {"do": "remove_condition", "condition_id": spare.pk}).status_code == 302
    assert c.post(page, {"do": "add_gate", **GATE}).status_code == 302
    assert c.get(page).status_code == 200
    return item


def _through_api(world, user) -> PolicyItem:
    r = api(world, user, "post", "/documents", DOCUMENT)
    assert r.status_code == 201
    doc_id = r.json()["id"]
    body = ITEM | {"document_id": doc_id, "department_id": world.hr.pk, "active": True}
    body |= {"amount_cap": 5, "limit_days": 30}
    r = api(world, user, "post", "/items", body)
    assert r.status_code == 201
    item_id = r.json()["id"]
    assert api(world, user, "put", f"/items/{item_id}", body | {"amount_rule": "固定 3"}).status_code == 200
    assert api(world, user, "post", f"/items/{item_id}/conditions", CONDITION).status_code == 201
    spare = api(world, user, "post", f"/items/{item_id}/conditions", SPARE).json()["id"]
    assert api(world, user, "delete", f"/items/{item_id}/conditions/{spare}").status_code == 204
    assert api(world, user, "post", f"/items/{item_id}/gates", GATE).status_code == 201
    return PolicyItem.objects.get(pk=item_id)


@pytest.mark.parametrize("who", ["handler_hr", "dispatcher"])
def test_pages_store_what_the_api_stores(world, who):
    user = getattr(world, who)
    by_page = _stored(_through_pages(world, user))
    PolicyItem.objects.all().delete()
    PolicyDocument.objects.all().delete()
    by_api = _stored(_through_api(world, user))
    assert by_page == by_api
    assert by_page["conditions"] == [("employees", "gte", "10", "第二条")]
    assert by_page["gates"] == [("refuse", "serious", "严重失信主体限制享受财政补贴")]
    assert by_page["item"]["amount_rule"] == "固定 3"


def test_forms_shown_only_to_those_allowed(world, lib):
    item = lib.item(conditions=[("employees", "gte", "10")])
    library = client_for(world.handler_hr).get("/policies/").content.decode()
    assert 'id="document-form"' in library and 'id="item-form"' in library
    assert 'id="document-form"' not in client_for(world.ent_user_a).get("/policies/").content.decode()
    own = client_for(world.handler_hr).get(f"/policies/items/{item.pk}/").content.decode()
    assert all(f'id="{f}"' in own for f in ("item-form", "condition-form", "gate-form"))
    assert 'data-confirm="确定删除该条件' in own
    for user in (world.handler_power, world.ent_user_a):
        shown = client_for(user).get(f"/policies/items/{item.pk}/").content.decode()
        assert not any(f'id="{f}"' in shown for f in ("item-form", "condition-form", "gate-form"))


def test_refused_personas_get_403_or_404(world, lib):
    item = lib.item(conditions=[("employees", "gte", "10")])
    condition = item.conditions.get()
    page = f"/policies/items/{item.pk}/"
    body = ITEM | {"document_id": lib.doc.pk, "department_id": world.hr.pk}
    for user in (world.ent_user_a, world.handler_power):
        c = client_for(user)
        assert c.post("/policies/", {"do": "create_document", **DOCUMENT}).status_code in (
            (403,) if user is world.ent_user_a else (302,)
        )
        assert c.post(page, {"do": "update_item", **body}).status_code == 403
        assert c.post(page, {"do": "add_condition", **CONDITION}).status_code == 403
        assert c.post(page, {"do": "remove_condition", "condition_id": condition.pk}).status_code == 403
        assert c.post(page, {"do": "add_gate", **GATE}).status_code == 403
    assert client_for(world.ent_user_a).post("/policies/", {"do": "create_item", **body}).status_code == 403
    # Another department may not publish an item of the HR bureau: the field error, nothing saved.
    r = client_for(world.handler_power).post("/policies/", {"do": "create_item", **body})
    assert r.status_code == 400 and "只能发布本部门的政策事项" in r.content.decode()
    assert (
        client_for(world.handler_hr).post("/policies/items/999999/", {"do": "add_gate", **GATE}).status_code
        == 404
    )
    assert (
        client_for(world.handler_hr)
        .post(page, {"do": "remove_condition", "condition_id": 999999})
        .status_code
        == 404
    )
    item.refresh_from_db()
    assert item.name == "高新技术企业认定奖励" and item.conditions.count() == 1 and not item.gates.exists()
    assert PolicyItem.objects.count() == 1


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (CONDITION | {"attribute": "no_such_thing"}, "attribute", "未知"),
        (CONDITION | {"value": "很多"}, "value", "不是数字"),
        (CONDITION | {"operator": "about"}, "operator", ""),
    ],
)
def test_unparsable_condition_is_redisplayed_with_the_chinese_error(world, lib, form, field, message):
    item = lib.item()
    r = client_for(world.handler_hr).post(f"/policies/items/{item.pk}/", {"do": "add_condition", **form})
    answer = api(world, world.handler_hr, "post", f"/items/{item.pk}/conditions", form)
    assert answer.status_code == 400
    expected = answer.json()["errors"][field][0]
    assert message in expected
    html = r.content.decode()
    assert r.status_code == 400 and f'<span class="error">{expected}</span>' in html
    assert f'value="{form["clause"]}"' in html  # what was typed is kept
    assert not Condition.objects.exists()


def test_bad_amount_rule_and_gate_redisplayed_nothing_saved(world, lib):
    item = lib.item(amount_rule="固定 20")
    c = client_for(world.handler_hr)
    body = ITEM | {"document_id": lib.doc.pk, "department_id": world.hr.pk, "amount_rule": "大概 20"}
    r = c.post(f"/policies/items/{item.pk}/", {"do": "update_item", **body})
    assert r.status_code == 400 and 'class="error"' in r.content.decode()
    item.refresh_from_db()
    assert item.amount_rule == "固定 20" and item.name == "高新技术企业认定奖励"
    r = c.post("/policies/", {"do": "create_item", **body})
    assert r.status_code == 400 and PolicyItem.objects.count() == 1
    r = c.post(f"/policies/items/{item.pk}/", {"do": "add_gate", **GATE, "kinds": "purple"})
    assert r.status_code == 400 and 'class="error"' in r.content.decode()
    assert not GateRule.objects.exists()
    r = c.post("/policies/", {"do": "create_document", **DOCUMENT, "region_code": "000000"})
    assert r.status_code == 400 and "未知的行政区划代码" in r.content.decode()
    assert PolicyDocument.objects.count() == 1
