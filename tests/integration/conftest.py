"""Fixtures of cobro's integration tests: an SMTP sink for the session, a server per module.
COBRO_TEST_STORE=postgresql runs them on a PostgreSQL server of their own (or on the one
COBRO_TEST_PG names, as scripts/check does)."""
import atexit
import os
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import pg_cluster  # noqa: E402

if os.environ.get("COBRO_TEST_STORE") == "postgresql" and not os.environ.get("COBRO_TEST_PG"):
    _cluster_dir = tempfile.mkdtemp(prefix="cobro-pg-")
    os.environ["COBRO_TEST_PG"] = pg_cluster.start(_cluster_dir)
    atexit.register(pg_cluster.stop, _cluster_dir)

import harness  # noqa: E402  (reads COBRO_TEST_PG)

# As scripts/check does: fontconfig's one-time configuration is not a leak of ours (ASan build).
# Every `cobro demo` draws the sample W-9 (cairo and pango), so every module needs it.
os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(
    os.path.dirname(__file__), "..", "lsan.supp"))


@pytest.fixture(scope="session")
def smtp_sink():
    sink = harness.SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def server(request, tmp_path_factory, smtp_sink):
    """A running `cobro serve` on a fresh demo database; fails the module's last test when the
    server does not exit cleanly on SIGTERM or printed a sanitizer report. A module may set
    SERVER_ARGS, a list of more `cobro serve` options, and SERVER_ENV, a dict of environment
    settings for it."""
    srv = harness.Server(tmp_path_factory.mktemp("cobro"), smtp_sink.port,
                         getattr(request.module, "SERVER_ARGS", ()),
                         extra_env=getattr(request.module, "SERVER_ENV", None))
    try:
        srv.start()
    except BaseException:
        srv.stop()
        raise
    yield srv
    problems = srv.stop()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def client(server):
    return server.client()


@pytest.fixture
def nodes(tmp_path, smtp_sink):
    """Starts `cobro serve` on one database (a fresh demo) at the instants asked (COBRO_NOW), one
    at a time, each start stopping the one before (a restart): the payments worker charges what
    is due as it starts. test_payment_cards.py (autopay), test_dunning.py."""
    made = []

    def start(at):
        if made:
            problems = made[-1].stop()
            assert not problems, problems
        folder = tmp_path / ("node%d" % len(made))
        os.makedirs(folder, exist_ok=True)
        srv = harness.Server(folder, smtp_sink.port, db=made[0].db_path if made else None,
                             extra_env={"COBRO_NOW": at})
        srv.start(demo=not made)
        made.append(srv)
        return srv

    yield start
    if made:
        problems = made[-1].stop()
        assert not problems, problems
