import time

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from sklearn.model_selection import GroupKFold

from qinqing.insights import routing
from qinqing.insights.datasets import DatasetError, read_labelled
from qinqing.insights.history import labelled_history


class Command(BaseCommand):
    help = "训练诉求分拨模型：--csv 读取带标签的留言 CSV；不带 --csv 时用本系统的历史诉求（类别与主办部门）训练。"

    def add_arguments(self, parser):
        parser.add_argument("--csv", help="CSV 文件（列：label，text 或 tokens）")
        parser.add_argument("--scope", choices=routing.SCOPES, help="模型范围；--csv 时默认 csv")
        parser.add_argument(
            "--cv", type=int, default=0, help="先做 N 折分组交叉验证并报告（按 dup_group 分组）"
        )
        parser.add_argument("--no-calibrate", action="store_true", help="不做置信度校准（更快）")
        parser.add_argument(
            "--if-missing", action="store_true", help="已有启用模型的范围跳过（供 make run 使用）"
        )

    def handle(self, *args, **opts):
        calibrate = not opts["no_calibrate"]
        if opts["csv"]:
            try:
                rows = read_labelled(opts["csv"])
            except DatasetError as exc:
                raise CommandError(str(exc)) from exc
            rows = [r for r in rows if r.analysed and r.label]
            self._train(rows, opts["scope"] or "csv", f"csv:{opts['csv']}", opts["cv"], calibrate)
            return
        scopes = [opts["scope"]] if opts["scope"] else ["category", "department"]
        for scope in scopes:
            if opts["if_missing"] and routing.manifest(scope)["active"]:
                self.stdout.write(f"{scope}: 已有模型 v{routing.manifest(scope)['active']}，跳过")
                continue
            rows = labelled_history(scope)
            if len({r.label for r in rows}) < 2:
                self.stdout.write(f"{scope}: 历史数据不足（需要至少两个类别），跳过")
                continue
            self._train(rows, scope, "database", opts["cv"], calibrate)

    def _train(self, rows, scope, source, folds, calibrate):
        if len({r.label for r in rows}) < 2:
            raise CommandError("训练数据至少需要两个类别")
        evaluation = {}
        if folds and folds > 1:
            evaluation = cross_validate(rows, folds, calibrate)
            self.stdout.write(
                f"{folds}-fold grouped CV on rows with raw text (n={evaluation['raw']['n']}): "
                f"accuracy={evaluation['raw']['accuracy']:.4f} macro_f1={evaluation['raw']['macro_f1']:.4f}"
            )
            self.stdout.write(
                f"{folds}-fold grouped CV on all rows (n={evaluation['all']['n']}): "
                f"accuracy={evaluation['all']['accuracy']:.4f} macro_f1={evaluation['all']['macro_f1']:.4f}"
            )
            for label, f1 in evaluation["raw"]["per_class_f1"].items():
                self.stdout.write(f"  {label}\tF1={f1:.4f}")
        started = time.perf_counter()
        try:
            model = routing.fit([r.analysed for r in rows], [r.label for r in rows], calibrate=calibrate)
        except routing.RoutingError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        evaluation["train_seconds"] = round(seconds, 1)
        version = routing.save(model, scope, source=source, evaluation=evaluation)
        self.stdout.write(
            f"trained scope={scope} version={version} rows={len(rows)} classes={len(model.labels)} "
            f"seconds={seconds:.1f}"
        )


def cross_validate(rows, folds: int, calibrate: bool) -> dict:
    y = np.array([r.label for r in rows])
    raw = np.array([r.raw for r in rows])
    predicted = np.empty(len(rows), dtype=object)
    splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=0)
    for train, test in splitter.split(rows, y, [r.group for r in rows]):
        model = routing.fit([rows[i].analysed for i in train], list(y[train]), calibrate=calibrate)
        predicted[test] = model.predict([rows[i].analysed for i in test])
    result = {"all": routing.metrics(list(y), list(predicted))}
    if raw.any():
        result["raw"] = routing.metrics(list(y[raw]), list(predicted[raw]))
    else:
        result["raw"] = result["all"]
    return result
