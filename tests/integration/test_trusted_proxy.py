"""--trusted-proxy: behind a proxy every client arrives from the proxy's address; the proxy's
X-Forwarded-For is believed, and only from it, so that the 100-failures-per-address sign-in
limit counts each client and not the proxy. (Without the option the header is ignored:
tests/integration/test_ip_limit.py::test_05.)"""
import os

import pytest

import harness

SERVER_ARGS = ["--trusted-proxy", "192.0.2.0/24", "--trusted-proxy", "127.0.0.1"]


@pytest.fixture(autouse=True)
def fresh_attempts(server):
    server.execute("DELETE FROM sign_in_attempts")
    yield
    server.execute("DELETE FROM sign_in_attempts")


def _fill_failures(server, count, ip):
    now = int(harness.now())
    for i in range(count):
        server.execute(
            "INSERT INTO sign_in_attempts (audience, login, ip, at, succeeded) VALUES (?, ?, ?, ?, 0)",
            ("corporate", "stuffed-%d" % i, ip, now - 60))


def _sign_in_from(server, forwarded_for, user_id="acme-billing", password=harness.DEMO_PASSWORD):
    c = server.client()
    token = c.csrf("/corporate")
    return c.post("/corporate/sign-in", {"user_id": user_id, "password": password, "csrf": token},
                  headers={"X-Forwarded-For": forwarded_for})


def test_01_one_forwarded_client_at_the_limit_does_not_block_another(server):
    _fill_failures(server, 99, "198.51.100.1")
    r = _sign_in_from(server, "198.51.100.1", "unknown-user", "wrong-password")  # the 100th
    assert r.status == 401, r
    assert server.count("sign_in_attempts", "ip = '198.51.100.1'") == 100
    assert _sign_in_from(server, "198.51.100.1").status == 429
    # Another client behind the same proxy signs in.
    assert _sign_in_from(server, "198.51.100.2").status == 303
    # Nothing was counted on the proxy's own address.
    assert server.count("sign_in_attempts", "ip = '127.0.0.1'") == 0


def test_02_the_right_most_untrusted_address_counts(server):
    _fill_failures(server, 100, "198.51.100.1")
    # A client that writes its own header cannot step out of its address: the proxy appends
    # the address it saw, and entries left of it are the client's.
    assert _sign_in_from(server, "203.0.113.77, 198.51.100.1").status == 429
    # Proxies in a chain (192.0.2.0/24 is trusted too) are skipped.
    assert _sign_in_from(server, "198.51.100.1, 192.0.2.10").status == 429
    assert _sign_in_from(server, "198.51.100.1, 198.51.100.2, 192.0.2.10").status == 303


def test_03_access_log_shows_the_forwarded_client(server):
    c = server.client()
    assert c.get("/healthz", headers={"X-Forwarded-For": "198.51.100.42"}).status == 200
    assert "access 198.51.100.42 GET /healthz 200" in server.stderr()


@pytest.mark.parametrize("value", ["nope", "10.0.0.1/8", "10.0.0.0/33", "127.0.0.1,", "::1]"])
def test_04_malformed_values_stop_start_up_with_one_line(tmp_path, value):
    db = str(tmp_path / "c.db")
    for args, env in ((["--trusted-proxy", value], harness.clean_env()),
                      ([], harness.clean_env(COBRO_TRUSTED_PROXY=value))):
        r = harness.run_cobro(["serve", "--db", db, "--listen", "127.0.0.1:%d" % harness.free_port()]
                              + args, env=env, timeout=30)
        assert r.returncode != 0
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1, r.stderr
        name = "--trusted-proxy" if args else "COBRO_TRUSTED_PROXY"
        assert lines[0].startswith('cobro serve: %s "%s": expected IPv4 or IPv6 addresses' % (name, value)), lines
        assert not os.path.exists(db), "the database was made before the settings were checked"
