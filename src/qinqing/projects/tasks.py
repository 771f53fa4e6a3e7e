from django_tasks import task

from qinqing.core.schedule import periodic
from qinqing.projects import services


@periodic("20 1 * * *", "重点项目三未巡检：批而未开、开而未建、建而未成（重复运行不会重复预警）")
@task
def sweep_project_flags() -> dict:
    result = services.sweep_flags()
    return {"raised": result.raised, "cleared": result.cleared}
