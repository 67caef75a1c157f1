"""The password reset flow as both portals run it (one implementation: src/web/password_reset.c),
for test_password_reset.py (corporate: /corporate/forgot, /corporate/reset) and
test_billing_password_reset.py (billing: /billing/forgot, /billing/reset)."""
import html
import re
import time

from harness import body_text, csrf_of, input_value, sha256_hex, to_pred

# Where each portal keeps its reset links (their SHA-256 digests).
TOKEN_TABLES = {"corporate": "password_reset_tokens", "billing": "account_user_reset_tokens"}


def link_re(server, portal):
    """The reset link of portal ('corporate' or 'billing') in an email; group 1 is the token."""
    return re.compile(re.escape(server.base_url + "/%s/reset?token=" % portal) + r"([A-Za-z0-9_-]+)")


def reset_mails(server, portal, to_addr):
    """Matches the sink's messages to to_addr that carry a reset link of portal."""
    link = link_re(server, portal)
    return lambda m: to_pred(to_addr)(m) and link.search(body_text(m["msg"])) is not None


def request_reset(server, sink, portal, fields, to_addr):
    """Posts portal's forgot form with fields; returns (token, message, answer) once the email to
    to_addr with the link this request made has arrived. An email of an earlier request that
    arrives meanwhile (the mailer sends in the background) is not taken for it: its token was
    stored before this request."""
    earlier = {d for (d,) in server.query("SELECT token_digest FROM %s" % TOKEN_TABLES[portal])}
    link = link_re(server, portal)

    def this_request(m):
        found = reset_mails(server, portal, to_addr)(m) and link.search(body_text(m["msg"]))
        return bool(found) and sha256_hex(found.group(1)) not in earlier

    mark = sink.mark()
    forgot = "/%s/forgot" % portal
    r = server.client().submit(forgot, forgot, fields)
    assert r.status == 200, (r.status, r.text[:300])
    m = sink.wait_for(this_request, since=mark)
    return link.search(body_text(m["msg"])).group(1), m, r


def post_reset(client, portal, token, password, confirm=None):
    """Opens the link's form (it must show, with the token) and posts a new password."""
    page = client.get("/%s/reset?token=%s" % (portal, token))
    assert page.status == 200, (page.status, page.text[:300])
    assert input_value(page.text, "token") == token
    return client.post("/%s/reset" % portal,
                       {"token": token, "password": password,
                        "password_confirm": password if confirm is None else confirm,
                        "csrf": csrf_of(page.text)})


def without_csrf(r):
    """The page with its csrf token blanked, to compare two answers to the same form."""
    token = input_value(r.text, "csrf")
    return r.text.replace(token, "CSRF") if token else r.text


def assert_refused(r, token, message):
    """A refused new password: 400 with the message, the form again with its token and without
    what was typed."""
    assert r.status == 400
    assert message in html.unescape(r.text)
    assert "Your password has been changed." not in r.text
    assert input_value(r.text, "token") == token, "the form is not shown again"
    for name in ("password", "password_confirm"):
        assert input_value(r.text, name) in ("", None), "the typed password is echoed"


def assert_garbage_tokens_refused(client, portal):
    """Tokens that were never issued (or cannot be) answer 404 "This link is not valid."."""
    for token in ("garbage", "A" * 43, "%3Cscript%3E"):
        r = client.get("/%s/reset?token=%s" % (portal, token))
        assert r.status == 404, token
        assert "This link is not valid." in r.text
        assert "<script>" not in r.text
    assert client.get("/%s/reset" % portal).status in (400, 404)


def ask_five_times(server, sink, portal, fields, to_addr):
    """Posts the forgot form five times at once from one visitor: all five answer the same page,
    and three emails (the hourly limit) are queued and delivered to to_addr, no more."""
    last_id = server.scalar("SELECT coalesce(max(id), 0) FROM email_outbox")
    mark = sink.mark()
    c = server.client()
    forgot = "/%s/forgot" % portal
    csrf = c.csrf(forgot)
    pages = [c.post(forgot, dict(fields, csrf=csrf)) for _ in range(5)]
    assert [p.status for p in pages] == [200] * 5
    strip = lambda t: re.sub(r'value="[^"]*"', "", t)
    assert strip(pages[4].text) == strip(pages[0].text), "the confirmation differs past the limit"
    assert server.count("email_outbox", "id > ? AND to_addr = ? AND kind = 'password_reset'",
                        (last_id, to_addr)) == 3
    sink.wait_for(reset_mails(server, portal, to_addr), since=mark, count=3)
    time.sleep(1.5)
    assert len(sink.since(mark, reset_mails(server, portal, to_addr))) == 3
