"""Parsing on a Dask cluster: a real scheduler and two worker processes on 127.0.0.1, started
here. The same corpus loaded through ``--executor dask://…`` and through the local workers
gives the same database, a hostile document is stopped on the cluster too, and a file changed
at the same path is parsed again (pure=False: no result served from Dask's cache)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import distributed
import pytest
from conftest import SAMPLES, Corpus, canonical_dump, ingest

from etl.orchestrate.workers import Limits


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    try:
        yield "dask://" + cluster.scheduler_address.removeprefix("tcp://")
    finally:
        cluster.close()


@pytest.mark.slow
def test_the_dask_executor_loads_what_the_local_one_does(
    scheduler: str,
    fresh_db: Callable[[], str],
    corpus_maker: Callable[..., Corpus],
    tmp_path: Path,
    endless_pdf: bytes,
) -> None:
    corpus = corpus_maker(tmp_path / "corpus", 40, seed=4, bad_share=0.1)
    (corpus.folder / "zz_slow.pdf").write_bytes(endless_pdf)
    local, cluster = fresh_db(), fresh_db()
    limits = Limits(doc_timeout=30)  # far above any report of the corpus, on a loaded machine too
    here = ingest(local, [str(corpus.folder)], workers=2, limits=limits)
    there = ingest(cluster, [str(corpus.folder)], executor=scheduler, limits=limits)
    assert here.counts == there.counts
    assert there.parsed == len(corpus.ingested) + 1
    slow = next(r for r in there.failed if r.path.endswith("zz_slow.pdf"))
    assert slow.reason == "timed out after 30 s"
    assert canonical_dump(local) == canonical_dump(cluster)


def test_a_file_changed_at_the_same_path_is_parsed_again(scheduler: str, tmp_path: Path) -> None:
    report = tmp_path / "reports" / "dla_2567.html"
    report.parent.mkdir()
    original = (SAMPLES / "dla_2567.html").read_text(encoding="utf-8")
    report.write_text(original, encoding="utf-8")
    db = str(tmp_path / "ita.db")
    first = ingest(db, [str(report)], executor=scheduler, keep_results=True)
    report.write_text(
        original.replace("จัดให้มีช่องทางการแจ้งเบาะแส", "จัดให้มีช่องทางการรับแจ้งเบาะแส"),
        encoding="utf-8",
    )
    second = ingest(db, [str(report)], executor=scheduler, keep_results=True)
    assert [(r.status, r.version) for r in first.results + second.results] == [
        ("new", 1),
        ("updated", 2),
    ]
