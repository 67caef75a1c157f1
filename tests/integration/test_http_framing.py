"""HTTP/1.x framing as clients rely on it, whatever answers HTTP inside the server (evhttp before,
cobro's own parser since docs/performance.md's third round): a chunked form body, Expect:
100-continue, HTTP/1.0 keep-alive, pipelined requests around a blocking route answered in order,
and a malformed request answered 400 and closed."""
import socket
import urllib.parse

import harness


def _connect(server):
    return socket.create_connection(("127.0.0.1", server.port), timeout=20)


def _sign_in(client, chunked=False, expect=False):
    """A sign-in with a wrong password (answered by a worker: 401), as raw bytes."""
    token = client.csrf("/corporate")
    body = urllib.parse.urlencode({"user_id": "acme-billing", "password": "wrong-password",
                                   "csrf": token}).encode()
    head = (b"POST /corporate/sign-in HTTP/1.1\r\nHost: t\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nCookie: %s\r\n"
            % harness.cookie_header(client).encode())
    if expect:
        head += b"Expect: 100-continue\r\n"
    if chunked:
        half = len(body) // 2
        return head + b"Transfer-Encoding: chunked\r\n\r\n", (
            b"%x\r\n%s\r\n%x;x=y\r\n%s\r\n0\r\n\r\n" % (half, body[:half], len(body) - half,
                                                      body[half:]))
    return head + b"Content-Length: %d\r\n\r\n" % len(body), body


def test_01_a_chunked_form_body_is_read_as_a_plain_one(server):
    c = server.client()
    for chunked in (False, True):
        head, body = _sign_in(c, chunked=chunked)
        s = _connect(server)
        try:
            s.sendall(head + body + b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            answers, left = harness.read_answers(s, ["POST", "GET"])
        finally:
            s.close()
        assert answers[0][0] == 401, (chunked, answers[0][2][:300])
        assert answers[1][0] == 200 and answers[1][2].strip() == b"ok"
        assert left == b""


def test_02_expect_100_continue_is_answered_before_the_body(server):
    c = server.client()
    head, body = _sign_in(c, expect=True)
    s = _connect(server)
    try:
        s.sendall(head)
        got = b""
        while b"\r\n\r\n" not in got:
            chunk = s.recv(4096)
            assert chunk, "closed before 100 Continue"
            got += chunk
        assert got == b"HTTP/1.1 100 Continue\r\n\r\n", got
        s.sendall(body)
        answers, left = harness.read_answers(s, ["POST"])
        assert answers[0][0] == 401 and left == b""
    finally:
        s.close()


def test_03_http_1_0_keep_alive_and_close(server):
    s = _connect(server)
    try:
        for _ in range(2):
            s.sendall(b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            answers, left = harness.read_answers(s, ["GET"])
            status, headers, body = answers[0]
            assert status == 200 and body.strip() == b"ok" and left == b""
            assert headers["connection"] == "keep-alive"
            assert "date" not in headers
        s.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        assert data.startswith(b"HTTP/1.0 200 OK\r\n"), data
        assert data.partition(b"\r\n\r\n")[2].strip() == b"ok", data
    finally:
        s.close()


def test_04_pipelined_requests_around_a_blocking_route_come_back_in_order(server):
    c = server.client()
    head, body = _sign_in(c)
    s = _connect(server)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n" + head + body +
                  b"HEAD /corporate HTTP/1.1\r\nHost: t\r\n\r\n"
                  b"GET /no-such-page HTTP/1.1\r\nHost: t\r\n\r\n")
        answers, left = harness.read_answers(s, ["GET", "POST", "HEAD", "GET"])
    finally:
        s.close()
    assert [a[0] for a in answers] == [200, 401, 200, 404]
    assert left == b""


def test_05_a_malformed_request_is_400_and_closed(server):
    for bad in (b"GET /healthz\r\n\r\n", b"GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n",
                b"POST /corporate/sign-in HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n"):
        status, raw = harness.raw_exchange(server.port, bad)
        assert status == 400, (bad, raw[:300])
    r = server.client().get("/healthz")
    assert r.status == 200
