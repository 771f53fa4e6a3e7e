from ninja import Router

from qinqing.core.inputs import Day
from qinqing.dashboard.figures import figures

router = Router(tags=["驾驶舱"])


@router.get("/", response=dict, summary="驾驶舱数据（本人管辖区划；每个数字附带下钻链接）")
def dashboard(request, start: Day, end: Day, trend: str = "week"):
    data = figures(request.auth, start, end, trend="month" if trend == "month" else "week")
    data["start"], data["end"] = data["start"].isoformat(), data["end"].isoformat()
    data["as_of"] = (
        data["as_of"].isoformat() if data["as_of"] else None
    )  # summaries refreshed at; None: not yet
    return data
