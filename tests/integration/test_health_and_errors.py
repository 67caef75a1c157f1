"""Health check and the error answers: 404, 405, 400, 431, 413, all as pages in the user's language."""
import harness
from harness import csrf_of, html_lang, raw_exchange


def _bad_requests(server):
    """Sends one of each bad request; returns {name: status}."""
    c = server.client()
    got = {}
    got["404"] = c.get("/no-such-page").status
    got["405"] = c.get("/sign-out").status
    got["400-query"] = c.get("/corporate?x=%ZZ").status
    head = ("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: %s\r\nConnection: close\r\n\r\n"
            % ("a" * 9000)).encode()
    got["431"] = raw_exchange(server.port, head)[0]
    body = b"user_id=" + b"a" * (70 * 1024)
    head = ("POST /corporate/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n"
            "Connection: close\r\n\r\n" % len(body)).encode()
    got["413"] = raw_exchange(server.port, head, body)[0]
    token = c.csrf("/corporate")
    got["400-utf8"] = c.post("/corporate/sign-in",
                             b"user_id=%FF%FEabc&password=x&csrf=" + token.encode()).status
    return got


def test_01_healthz_answers_ok(client):
    r = client.get("/healthz")
    assert r.status == 200
    assert r.text.strip() == "ok"


def test_02_unknown_path_is_404_page_in_english_by_default(client):
    r = client.get("/no-such-page")
    assert r.status == 404
    assert "text/html" in (r.headers.get("Content-Type") or "")
    assert html_lang(r.text) == "en"
    assert "<h1" in r.text


def test_03_unknown_path_404_page_follows_accept_language(server):
    c = server.client(accept_language="es-ES,es;q=0.9,en;q=0.5")
    r = c.get("/no-such-page")
    assert r.status == 404
    assert html_lang(r.text) == "es"
    en = server.client().get("/no-such-page")
    assert en.text != r.text, "the Spanish 404 page is the English one"


def test_04_404_page_follows_language_cookie_over_accept_language(server):
    c = server.client(accept_language="es")
    c.set_cookie("cobro_lang", "fr")
    r = c.get("/no-such-page")
    assert r.status == 404
    assert html_lang(r.text) == "fr"


def test_05_wrong_method_is_405(client):
    r = client.get("/sign-out")
    assert r.status == 405
    assert html_lang(r.text) == "en"
    r = client.post("/healthz", {"x": "1"})
    assert r.status == 405


def test_06_malformed_query_is_400(server):
    c = server.client(accept_language="it")
    r = c.get("/corporate?x=%ZZ")
    assert r.status == 400
    assert html_lang(r.text) == "it"


def test_07_header_over_8k_is_431(server):
    head = ("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: %s\r\nConnection: close\r\n\r\n"
            % ("a" * 9000)).encode()
    status, raw = raw_exchange(server.port, head)
    assert status == 431, raw[:300]


def test_08_body_over_64k_is_413(server):
    body = b"user_id=" + b"a" * (70 * 1024)
    head = ("POST /corporate/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n"
            "Connection: close\r\n\r\n" % len(body)).encode()
    status, raw = raw_exchange(server.port, head, body)
    assert status == 413, raw[:300]


def test_09_invalid_utf8_in_form_is_400(client):
    token = client.csrf("/corporate")
    r = client.post("/corporate/sign-in", b"user_id=%FF%FEabc&password=x&csrf=" + token.encode())
    assert r.status == 400
    assert html_lang(r.text) == "en"
    # Raw (not percent-encoded) invalid bytes too.
    r = client.post("/corporate/sign-in", b"user_id=\xc3\x28&password=x&csrf=" + token.encode())
    assert r.status == 400
    assert client.cookie("cobro_session") is None


def test_10_server_still_healthy_after_bad_requests(server):
    got = _bad_requests(server)
    assert got == {"404": 404, "405": 405, "400-query": 400, "431": 431, "413": 413,
                   "400-utf8": 400}
    for _ in range(3):
        r = server.client().get("/healthz")
        assert r.status == 200 and r.text.strip() == "ok"


def test_11_error_pages_are_complete_pages(client):
    r = client.get("/no-such-page")
    page = r.text
    assert page.count("<h1") == 1
    assert "<title>" in page
    assert "/lang?to=es" in page
    # a GET page with a form still has a csrf token (sanity of the harness itself)
    assert csrf_of(client.get("/corporate").text)


def test_11b_an_error_page_stays_in_its_portal(server):
    """A 404 under a portal keeps that portal's name and, for someone signed in to it, its tabs
    and sign-out, with the way back to its start; elsewhere the vendor's name heads the page."""
    import re
    page = server.client().get("/no-such-page").text
    assert '<a class="brand" href="/">Vendor, Inc.</a>' in page
    assert ">cobro<" not in page
    c = server.client()
    assert c.sign_in_billing("user@initech.example").status == 303
    r = c.get("/billing/invoices")  # a member: the invoices are the administrator's
    assert r.status == 404
    assert '<a class="brand" href="/billing">Billing Center</a>' in r.text
    assert re.search(r'<nav class="tabs"[^>]*>.*href="/billing/account"', r.text, re.S)
    assert 'action="/sign-out"' in r.text
    assert '<a href="/billing">Go to the start page</a>' in r.text
    r = server.client().get("/corporate/invoices/INV-0000-000000")
    assert r.status in (303, 404)


def test_12_healthz_is_503_when_the_database_file_is_damaged(tmp_path, smtp_sink):
    # A server of its own: the damage would break every later test of the module's server.
    srv = harness.Server(tmp_path, smtp_sink.port)
    try:
        srv.start()
        for _ in range(3):
            assert srv.client().get("/healthz").status == 200
        if harness.on_postgresql():  # the table the check reads is gone
            srv.execute("ALTER TABLE schema_migrations RENAME TO schema_migrations_lost")
        else:
            with open(srv.db_path, "r+b") as f:  # the SQLite header: magic, page size, counters
                f.write(b"\xff" * 100)
        for _ in range(3):  # more than once: each event loop has a connection of its own
            r = srv.client().get("/healthz")
            assert r.status == 503, r
            assert r.text.strip() == "database unavailable"
    finally:
        problems = srv.stop()
    assert not problems, problems


def test_13_date_and_content_length_as_libevent_writes_them(server):
    """The server adds Date and Content-Length itself (docs/performance.md): HTTP/1.1 answers end
    with both, in libevent's order and format; an HTTP/1.0 answer that closes gets neither Date
    nor, as before, a Content-Length; HEAD keeps its own Content-Length."""
    import re
    for path in ("/corporate", "/no-such-page"):
        status, raw = raw_exchange(server.port, ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                 "Connection: close\r\n\r\n" % path).encode())
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        names = [h.split(":")[0] for h in lines[1:]]
        assert names[-4:] == ["Cache-Control", "Date", "Content-Length", "Connection"], names
        assert re.fullmatch(r"Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d "
                            r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
                            r"\d\d:\d\d:\d\d GMT", lines[-3]), lines
        assert lines[-2] == "Content-Length: %d" % len(body), lines
        assert sum(1 for h in lines if h.lower().startswith(("date:", "content-length:"))) == 2
    status, raw = raw_exchange(server.port, b"GET /corporate HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
    head = raw.partition(b"\r\n\r\n")[0].decode().lower()
    assert status == 200 and "\r\ndate:" not in head and "content-length:" not in head, head
    status, raw = raw_exchange(server.port, b"HEAD /corporate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                             b"Connection: close\r\n\r\n")
    head = raw.partition(b"\r\n\r\n")[0].decode()
    assert re.search(r"\r\nContent-Length: \d+\r\nDate: ", head), head
