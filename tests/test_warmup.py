"""Workers warmed up before they serve (web.warmup), and the cheap links of lists."""

from __future__ import annotations

import gc
import re

import pytest

from web import warmup
from web.warmup import freeze_heap, ready_worker, warm_up, warm_up_paths


def test_warm_up_renders_each_kind_in_each_language(app) -> None:
    statuses = warm_up(app)
    kinds = {path.split("/")[2] for path in warm_up_paths(app) if path.startswith("/page/")}
    assert kinds >= {"organization", "person", "position", "agreement", "event", "resource"}
    assert {language for language, _ in statuses} == {"vi", "en"}
    assert set(statuses.values()) == {200}, statuses
    # The templates are compiled now: the next entity page does not compile them again.
    assert {"base.html", "entity.html", "search.html", "home.html"} <= {
        name for _, name in app.jinja_env.cache.keys()}


def test_warm_up_is_not_counted_against_the_rate_limit(serving, tmp_path) -> None:
    from web import create_app

    app = create_app({**serving, "run_dir": str(tmp_path / "run"), "rate_limit": 0.01,
                      "rate_burst": 2})
    assert set(warm_up(app).values()) == {200}  # 16 requests, a burst of 2
    client = app.test_client()
    assert [client.get("/people").status_code for _ in range(3)] == [200, 200, 429]


def test_warm_up_stops_at_its_budget(app, monkeypatch: pytest.MonkeyPatch) -> None:
    # A slow (remote) store must not keep a worker from serving past gunicorn's timeout.
    monkeypatch.setattr(warmup, "BUDGET_SECONDS", -1.0)
    assert warm_up(app) == {}
    try:
        assert ready_worker(app).startswith("worker warmed up: 0 pages in ")
    finally:
        gc.unfreeze()


def test_freeze_heap_takes_live_objects_out_of_collection() -> None:
    try:
        frozen = freeze_heap()
        assert frozen > 10_000  # the app, its templates, labels and locale data
        assert gc.get_freeze_count() == frozen
        assert gc.collect() < frozen  # a full collection no longer walks them
    finally:
        gc.unfreeze()


def test_live_server_workers_warm_up_before_serving(live_server) -> None:
    # The line is logged before the worker accepts: the fixture waited for an answer.
    found = re.search(r"worker warmed up: (\d+) pages in \d+ ms; (\d+) objects frozen",
                      live_server.log)
    assert found, live_server.log[-2000:]
    assert int(found[1]) >= 2 * 8  # home, search, six kinds; in vi and en
    assert int(found[2]) > 10_000
    assert "failed" not in found[0]


@pytest.mark.parametrize("path", ["/search?q=cuong&lang=en", "/people?lang=en",
                                  "/page/person/trinh-phi?lang=en"])
def test_list_links_keep_the_language_and_the_mount_point(client, path: str) -> None:
    html = client.get(path, base_url="http://localhost/kg/",
                      headers={"Accept": "text/html"}).get_data(as_text=True)
    links = re.findall(r'<li><a href="(/kg/page/person/[^"]+)"', html)
    assert links and all(link.endswith("?lang=en") for link in links), links
    assert 'action="/kg/search?lang=en"' in html or 'action="/kg/search"' in html
