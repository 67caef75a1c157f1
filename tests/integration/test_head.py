"""HEAD answers carry GET's status and headers, Content-Length included, and no body: a HEAD
followed by a GET on one keep-alive connection reads as two well-framed answers."""
import os
import socket

import harness

# The PDF route loads fontconfig, whose caches live until exit (as in test_invoices_http.py).
os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(harness.REPO, "tests",
                                                                      "lsan.supp"))


def _exchange(server, requests, headers=b""):
    """Sends every (method, path) on one connection at once; returns the answers and any bytes
    left over."""
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        s.sendall(b"".join(b"%s %s HTTP/1.1\r\nHost: t\r\n%s\r\n"
                           % (m.encode(), p.encode(), headers) for m, p in requests))
        return harness.read_answers(s, [m for m, _ in requests])
    finally:
        s.close()


PATHS = [
    "/corporate",                  # a page
    "/static/style.css",           # a static file
    "/healthz",
    "/no/such/page",               # the 404 page
    "/corporate/account",          # a redirect to sign in
    "/lang?to=fr&next=/corporate", # a redirect that sets a cookie
    "/corporate/sign-in",          # POST only: the 405 page
]


def test_01_head_then_get_on_one_connection_are_two_answers(server):
    for path in PATHS:
        answers, left = _exchange(server, [("HEAD", path), ("GET", path)])
        (h_status, h_headers, h_body), (g_status, g_headers, g_body) = answers
        assert left == b"", "%s: bytes after the GET answer: %r" % (path, left[:200])
        assert h_status == g_status, path
        assert h_body == b""
        assert int(h_headers["content-length"]) == len(g_body), path
        for name in ("content-type", "location", "allow", "cache-control"):
            assert h_headers.get(name) == g_headers.get(name), (path, name)


def test_02_static_file_head_has_its_exact_length(server):
    answers, left = _exchange(server, [("HEAD", "/static/style.css"), ("HEAD", "/healthz"),
                                       ("GET", "/static/style.css")])
    assert left == b""
    assert [a[0] for a in answers] == [200, 200, 200]
    assert int(answers[0][1]["content-length"]) == len(answers[2][2]) > 1000
    assert answers[1][1]["content-length"] == "3"


def test_03_head_of_a_signed_in_page_and_a_pdf(server):
    c = server.client()
    assert c.sign_in_corporate("acme-billing").status == 303
    number = server.scalar("SELECT number FROM invoices i JOIN accounts a ON a.id = i.account_id"
                           " WHERE a.name LIKE 'Acme%' ORDER BY i.id LIMIT 1")
    assert number
    cookie = b"Cookie: %s\r\n" % harness.cookie_header(c).encode()
    paths = ["/corporate/invoices", "/corporate/invoices/%s/pdf" % number]
    answers, left = _exchange(server, [(m, p) for p in paths for m in ("HEAD", "GET")],
                              headers=cookie)
    assert left == b""
    for i in range(0, 4, 2):
        (hs, hh, hb), (gs, gh, gb) = answers[i], answers[i + 1]
        assert hs == gs == 200
        assert hb == b"" and int(hh["content-length"]) == len(gb) > 0
        assert hh["content-type"] == gh["content-type"]
    assert answers[3][1]["content-type"] == "application/pdf"
