from django.core.management.base import BaseCommand, CommandError

from qinqing.insights import routing
from qinqing.insights.datasets import DatasetError, read_labelled


class Command(BaseCommand):
    help = "评估诉求分拨模型：在带 text 与 label 列的 CSV 上输出准确率、宏平均 F1 和各类 F1。"

    def add_arguments(self, parser):
        parser.add_argument("--csv", required=True, help="CSV 文件（列：text，label；其他列忽略）")
        parser.add_argument("--scope", choices=routing.SCOPES, default="csv")
        parser.add_argument("--model-version", type=int, help="模型版本，默认当前启用的版本")

    def handle(self, *args, **opts):
        try:
            model = routing.load(opts["scope"], opts["model_version"])
        except routing.RoutingError as exc:
            raise CommandError(str(exc)) from exc
        if model is None:
            raise CommandError(
                f"还没有 {opts['scope']} 模型，请先运行 manage.py train_routing --csv 训练文件"
            )
        try:
            rows = read_labelled(opts["csv"])
        except DatasetError as exc:
            raise CommandError(str(exc)) from exc
        rows = [r for r in rows if r.label]
        if not rows:
            raise CommandError("CSV 中没有带标签的行")
        # A row whose text is empty after the pipeline (only punctuation, say) still counts, as a miss.
        predicted = model.predict([r.analysed or " " for r in rows])
        result = routing.metrics([r.label for r in rows], predicted)
        self.stdout.write(
            f"model scope={opts['scope']} version={model.meta.get('version')} rows={result['n']}"
        )
        for label, f1 in result["per_class_f1"].items():
            self.stdout.write(f"  {label}\tF1={f1:.4f}")
        self.stdout.write(f"accuracy={result['accuracy']:.4f} macro_f1={result['macro_f1']:.4f}")
