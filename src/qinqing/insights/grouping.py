"""Common-issue candidates: group texts that describe the same problem.

Word 1-2-gram TF-IDF of the scrubbed words (terms in more than 5% of documents, or 10 in a small set, and request boilerplate dropped, so 小区/问题/企业 do not glue everything together),
each document's 10 nearest neighbours by cosine from chunked sparse products, an edge where cosine >= threshold and the two share
at least ``MIN_SHARED`` words, and
connected components. A component that grows past ``max_size`` or whose members sit loosely around their centroid (chaining through a
few bridging texts) is split again at a stricter threshold. For each group: size, medoid (the member closest to the group's centroid) as the
representative text, the centroid's top words as keywords, and a heat score.

Heat = size x (1 + growth / 2) + ln(1 + support), where growth compares the second half of the group's period with the
first (clipped to [-0.5, 1]) and support is likes where the source has them (the public message board does).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer


@dataclass
class Doc:
    key: object
    analysed: str
    when: dt.datetime | None = None
    support: int = 0


@dataclass
class Group:
    members: list[int]  # positions in the input list
    representative: int
    keywords: list[str]
    cohesion: float
    heat: float = 0.0
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    support: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.members)


def _neighbours(
    X: sp.csr_matrix, W: sp.csr_matrix, k: int, threshold: float, chunk: int = 2000
) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = [], []
    XT, WT = X.T.tocsr(), W.T.tocsr()
    for start in range(0, X.shape[0], chunk):
        block = (X[start : start + chunk] @ XT).tocsr()
        block.data[block.data < threshold] = 0
        # Two short texts that share only a couple of everyday words (厂区, 周边) can reach any cosine once their
        # other words, each in one text only, are out of the vocabulary: a link needs MIN_SHARED words in common.
        shared = (W[start : start + chunk] @ WT).tocsr()
        shared.data = (shared.data >= MIN_SHARED).astype(np.float32)
        block = block.multiply(shared).tocsr()
        block.eliminate_zeros()
        for i in range(block.shape[0]):
            lo, hi = block.indptr[i], block.indptr[i + 1]
            if hi - lo <= 1:
                continue
            idx, val = block.indices[lo:hi], block.data[lo:hi]
            if hi - lo > k + 1:
                keep = np.argpartition(-val, k + 1)[: k + 1]
                idx = idx[keep]
            for j in idx:
                if j != start + i:
                    rows.append(start + i)
                    cols.append(j)
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)


# Words every appeal may use to ask for anything (我司 … 希望 … 协调): they say nothing about which problem it is, so
# they neither link two texts nor become keywords.
BOILERPLATE = (
    "想 了解 想了解 想知道 咨询 公司 我司 本公司 企业 需要 希望 请求 恳请 能否 是否 帮忙 帮助 尽快 申请 反映 情况 "
    "协调 处理 解决 要求 相关 部门 有关 办理 进度 材料"
).split()
MIN_COHESION = 0.45
MIN_SHARED = 4
MIN_DF = 2


def _cohesion(sub: sp.csr_matrix) -> float:
    """Mean cosine of the members to their centroid: low when a component is a chain of loosely related texts."""
    centroid = np.asarray(sub.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid) or 1.0
    return float(np.asarray(sub @ centroid).ravel().mean() / norm)


def _components(
    X: sp.csr_matrix, W: sp.csr_matrix, positions: np.ndarray, threshold: float, k: int, max_size: int
) -> list[np.ndarray]:
    r, c = _neighbours(X[positions], W[positions], k, threshold)
    n = len(positions)
    graph = sp.coo_matrix((np.ones(len(r)), (r, c)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    out = []
    for label in np.unique(labels):
        members = positions[labels == label]
        if len(members) < 2:
            continue
        if (len(members) > max_size or _cohesion(X[members]) < MIN_COHESION) and threshold < 0.85:
            out.extend(_components(X, W, members, threshold + 0.1, k, max_size))
        else:
            out.append(members)
    return out


def group(
    docs: list[Doc], *, threshold: float = 0.3, k: int = 10, min_size: int = 2, max_size: int | None = None
) -> list[Group]:
    """Candidate groups, hottest first."""
    texts = [d.analysed for d in docs]
    if sum(1 for t in texts if t) < 2:
        return []
    vec = TfidfVectorizer(
        token_pattern=r"(?u)\S+",
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=MIN_DF,
        max_df=max(10, int(0.05 * len(texts))),
        stop_words=BOILERPLATE,
        dtype=np.float32,
    )
    try:
        X = vec.fit_transform(texts).tocsr()
    except ValueError:  # no term occurs in two documents
        return []
    max_size = max_size or max(20, len(docs) // 50)
    vocab = np.array(vec.get_feature_names_out())
    # Which words (not word pairs) each text has, to count the words two texts share.
    W = X[:, np.flatnonzero(np.char.find(vocab.astype(str), " ") < 0)].tocsr()
    W.data[:] = 1.0
    groups = []
    for members in _components(X, W, np.arange(len(docs)), threshold, k, max_size):
        if len(members) < min_size:
            continue
        sub = X[members]
        centroid = np.asarray(sub.mean(axis=0)).ravel()
        sims = np.asarray(sub @ centroid).ravel()
        top_terms = [t for t in vocab[np.argsort(-centroid)[:12]] if " " not in t][:6]
        g = Group(
            members=[int(m) for m in members],
            representative=int(members[int(np.argmax(sims))]),
            keywords=top_terms,
            cohesion=round(_cohesion(sub), 3),
        )
        times = sorted(docs[m].when for m in members if docs[m].when)
        g.support = sum(docs[m].support for m in members)
        growth = 0.0
        if times:
            g.start, g.end = times[0], times[-1]
            middle = g.start + (g.end - g.start) / 2
            early = sum(1 for t in times if t <= middle)
            late = len(times) - early
            growth = max(-0.5, min(1.0, (late - early) / max(1, early)))
        g.heat = round(g.size * (1 + 0.5 * growth) + math.log1p(max(0, g.support)), 2)
        groups.append(g)
    groups.sort(key=lambda g: (-g.heat, -g.size))
    return groups
