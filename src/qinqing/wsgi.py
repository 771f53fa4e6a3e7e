import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qinqing.settings")
application = get_wsgi_application()

# Load the word segmenter's dictionary while the worker boots, not inside the first appeal submitted to it
# (about a second, which would otherwise land on an enterprise's request).
from qinqing.insights.text import analyse  # noqa: E402

analyse("预热")

# Everything loaded so far (Django, the URL map, the models, the segmenter's dictionary) lives as long as the
# worker: move it out of the collector's sight so each full collection walks only a request's own objects.
gc.freeze()
