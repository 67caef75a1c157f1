"""Fixtures of cobro's integration tests: an SMTP sink for the session, a server per module."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402


@pytest.fixture(scope="session")
def smtp_sink():
    sink = harness.SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def server(request, tmp_path_factory, smtp_sink):
    """A running `cobro serve` on a fresh demo database, with the flags of the module's
    SERVER_ARGS if it has any; fails the module's last test when the server does not exit cleanly
    on SIGTERM or printed a sanitizer report."""
    srv = harness.Server(tmp_path_factory.mktemp("cobro"), smtp_sink.port,
                         getattr(request.module, "SERVER_ARGS", ()))
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
