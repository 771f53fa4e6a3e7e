"""Similar appeals at intake: an in-process inverted index over the analysed words of recent appeals.

Documents are hashed word counts (no vocabulary to keep in sync), weighted by sublinear TF x IDF and L2-normalised,
held column-major so a query touches only the postings of its own words: at 100k appeals a query is a few
milliseconds of sparse arithmetic plus one indexed SQL read of the top candidates (BENCHMARKS.md).

Each process keeps its own index and tops it up with appeals analysed since (by primary key) at most every
``REFRESH_SECONDS``; the words are stored by the background job ``insights.tasks.analyse_new_appeals`` (every
minute), so an appeal joins the index within about a minute of its submission and a query never writes. The IDF is recomputed when the index has grown by a tenth. Visibility is applied twice: a
cheap array mask for enterprise users (their own enterprise only) and, always, ``appeals_visible_to`` on the
candidates, so the index can never show anyone an appeal they could not open.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from django.conf import settings
from django.utils import timezone
from sklearn.feature_extraction.text import HashingVectorizer

from qinqing.accounts.models import Role, User
from qinqing.appeals.models import Appeal
from qinqing.appeals.selectors import appeals_visible_to
from qinqing.insights import text as pipeline
from qinqing.insights.models import AppealText

N_FEATURES = 2**20
REFRESH_SECONDS = 2.0
CANDIDATES = 60

_hasher = HashingVectorizer(
    n_features=N_FEATURES, token_pattern=r"(?u)\S+", alternate_sign=False, norm=None, dtype=np.float32
)


@dataclass
class Match:
    appeal: Appeal
    similarity: float


class SimilarIndex:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.ids = np.zeros(0, dtype=np.int64)
        self.enterprises = np.zeros(0, dtype=np.int64)
        self.times = np.zeros(0, dtype=np.float64)
        self.counts = sp.csr_matrix((0, N_FEATURES), dtype=np.float32)  # raw term counts, row per appeal
        self.matrix = sp.csc_matrix((0, N_FEATURES), dtype=np.float32)  # weighted, normalised, column-major
        self.idf = np.ones(N_FEATURES, dtype=np.float32)
        self.idf_size = 0
        self.last_id = 0
        self.checked = 0.0

    def __len__(self) -> int:
        return len(self.ids)

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        m = counts.copy()
        m.data = (1.0 + np.log(m.data)).astype(np.float32)
        m = m @ sp.diags(self.idf)
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ m, dtype=np.float32)

    def refresh(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.checked < REFRESH_SECONDS:
            return
        with self.lock:
            if not force and now - self.checked < REFRESH_SECONDS:
                return
            self.checked = now
            rows = list(
                AppealText.objects.filter(appeal_id__gt=self.last_id)
                .order_by("appeal_id")
                .values_list("appeal_id", "appeal__enterprise_id", "appeal__submitted_at", "words")
            )
            if not rows:
                return
            counts = _hasher.transform([r[3] for r in rows]).tocsr()
            self.ids = np.concatenate([self.ids, np.array([r[0] for r in rows], dtype=np.int64)])
            self.enterprises = np.concatenate(
                [self.enterprises, np.array([r[1] for r in rows], dtype=np.int64)]
            )
            self.times = np.concatenate([self.times, np.array([r[2].timestamp() for r in rows])])
            self.counts = sp.vstack([self.counts, counts]).tocsr()
            self.last_id = rows[-1][0]
            if len(self.ids) > self.idf_size * 1.1:
                df = np.bincount(self.counts.indices, minlength=N_FEATURES).astype(np.float32)
                n = len(self.ids)
                self.idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
                self.idf_size = n
                self.matrix = self._weigh(self.counts).tocsc()
            else:
                self.matrix = sp.vstack([self.matrix.tocsr(), self._weigh(counts)]).tocsc()

    def scores(self, raw_text: str) -> np.ndarray:
        words = pipeline.analyse(raw_text)
        if not words or not len(self.ids):
            return np.zeros(len(self.ids), dtype=np.float32)
        q = self._weigh(_hasher.transform([words]).tocsr())
        cols = q.indices
        if not len(cols):
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.matrix[:, cols] @ q.data).ravel()


_index = SimilarIndex()


def index() -> SimilarIndex:
    return _index


def similar_appeals(
    user: User, raw_text: str, *, k: int = 5, exclude: int | None = None, min_similarity: float = 0.1
) -> list[Match]:
    """The ``k`` most similar recent appeals that ``user`` may see, best first."""
    idx = index()
    idx.refresh()
    scores = idx.scores(raw_text)
    if not len(scores):
        return []
    since = (timezone.now() - dt.timedelta(days=settings.QINQING_SIMILAR_DAYS)).timestamp()
    mask = (idx.times >= since) & (scores >= min_similarity)
    if user.role == Role.ENTERPRISE:
        mask &= idx.enterprises == (user.enterprise_id or -1)
    if exclude is not None:
        mask &= idx.ids != exclude
    candidates = np.flatnonzero(mask)
    if not len(candidates):
        return []
    top = candidates[np.argsort(-scores[candidates])[:CANDIDATES]]
    score_of = {int(idx.ids[i]): float(scores[i]) for i in top}
    visible = appeals_visible_to(user).filter(pk__in=score_of.keys()).select_related("enterprise", "category")
    ranked = sorted(visible, key=lambda a: -score_of[a.pk])[:k]
    return [Match(a, round(min(1.0, score_of[a.pk]), 3)) for a in ranked]
