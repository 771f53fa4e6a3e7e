from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "qinqing.projects"
    label = "projects"
    verbose_name = "重点项目"
