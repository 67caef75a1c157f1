"""Issue 14: the vendor's W-9 (docs/w9.md) and Customer Care's change of a Billing Center
account's billing administrator (docs/care.md). The W-9: admins upload it in the staff console
(multipart, a PDF of at most 5 MB, every version kept) or with `cobro vendor-file w9 FILE`; the
billing contacts of US corporate accounts download it, each download logged; any other account
gets no link and a 404. Care: the caller's verification (card on file AND cardholder or
registered administrator; only "verified"/"not verified" shown), the lockout after three failures
in the vendor's day and the admin's flag, the change (exactly one billing administrator, many
writers), the invitation, the notices, roles, other accounts and CSRF."""
import base64
import hashlib
import html
import re
import threading
import urllib.parse
import uuid

import pytest

import harness
from harness import csrf_of, run_cobro
from reset_helpers import post_reset

ACME = "acme-billing"          # US corporate
GLOBEX = "ap@globex.example"   # Italian corporate
OWNER, MEMBER, IT = "owner@initech.example", "user@initech.example", "it@initech.example"
CARE, ADMIN, CAS, REP = ("care@vendor.example", "admin@vendor.example", "cas@vendor.example",
                         "rep@vendor.example")
CARD = {"last4": "4242", "exp_month": "12", "exp_year": "2030"}


def text_of(page):
    m = re.search(r"<main\b.*?</main>", page, re.S)
    t = re.sub(r"<[^>]+>", " ", m.group(0) if m else page)
    return re.sub(r"\s+", " ", html.unescape(t))


def account_id(server, name):
    return server.scalar("SELECT id FROM accounts WHERE name = ?", (name,))


def user_id(server, email):
    return server.scalar("SELECT id FROM account_users WHERE email = ?", (email,))


def staff(server, email, lang=None):
    c = server.client(accept_language=lang)
    assert c.sign_in_staff(email).status == 303
    return c


def corporate(server, user):
    c = server.client()
    assert c.sign_in_corporate(user).status == 303
    return c


def pdf_bytes(label="test", size=0):
    body = b"%PDF-1.4\n% " + label.encode() + b"\n"
    if size:
        body += b"0" * (size - len(body) - 6)
    return body + b"%%EOF\n"


def multipart(fields, files):
    boundary = "----cobro" + uuid.uuid4().hex
    out = b""
    for name, value in fields.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                % (boundary, name, value)).encode()
    for name, (filename, data, ctype) in files.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                "Content-Type: %s\r\n\r\n" % (boundary, name, filename, ctype)).encode()
        out += data + b"\r\n"
    out += ("--%s--\r\n" % boundary).encode()
    return out, "multipart/form-data; boundary=" + boundary


def upload(c, data, filename="w9.pdf", csrf=True, ctype="application/pdf"):
    page = c.get("/staff/w9")
    assert page.status == 200, page.status
    fields = {"csrf": csrf_of(page.text)} if csrf else {}
    body, content_type = multipart(fields, {"file": (filename, data, ctype)})
    return c.request("POST", "/staff/w9", data=body, headers={"Content-Type": content_type})


def w9_count(server):
    return server.count("vendor_files")


# ---- the W-9 -----------------------------------------------------------------------------


def test_01_demo_sample_w9_downloaded_by_us_corporate_contact(server):
    """The demo's sample W-9 (drawn at demo time, says SAMPLE) is on the US corporate account's
    page and downloads as a PDF; the download is logged and audited."""
    assert w9_count(server) == 1
    c = corporate(server, ACME)
    page = c.get("/corporate/account")
    assert page.status == 200 and 'href="/corporate/w9"' in page.text
    before = server.count("vendor_file_downloads")
    # HEAD downloads nothing and logs nothing.
    assert c.request("HEAD", "/corporate/w9").status == 200
    assert server.count("vendor_file_downloads") == before
    r = c.get("/corporate/w9")
    assert r.status == 200
    assert r.headers["Content-Type"] == "application/pdf"
    assert "attachment" in r.headers["Content-Disposition"]
    assert r.raw.startswith(b"%PDF-") and b"%%EOF" in r.raw[-1024:]
    stored = server.scalar("SELECT content_base64 FROM vendor_files ORDER BY id DESC LIMIT 1")
    assert base64.b64decode(stored) == r.raw
    assert server.count("vendor_file_downloads") == before + 1
    acme = account_id(server, "Acme Corporation")
    cred = server.scalar("SELECT id FROM portal_credentials WHERE user_id = ?", (ACME,))
    assert server.query("SELECT account_id, credential_id FROM vendor_file_downloads"
                        " ORDER BY id DESC LIMIT 1") == [(acme, cred)]
    assert server.count("audit_log", "action = 'w9_downloaded' AND account_id = ?", (acme,)) >= 1


def test_02_no_w9_for_other_accounts(server):
    """A corporate account outside the US sees no link and gets 404; nothing is logged. A Billing
    Center user cannot reach the corporate URL at all."""
    c = corporate(server, GLOBEX)
    page = c.get("/corporate/account")
    assert page.status == 200 and "/corporate/w9" not in page.text
    before = server.count("vendor_file_downloads")
    assert c.get("/corporate/w9").status == 404
    assert c.request("HEAD", "/corporate/w9").status == 404
    assert server.count("vendor_file_downloads") == before
    b = server.client()
    assert b.sign_in_billing(OWNER).status == 303
    r = b.get("/corporate/w9")
    assert r.status in (303, 404) and not r.raw.startswith(b"%PDF")
    assert server.count("vendor_file_downloads") == before
    # Acme moved out of the US: the link goes and the URL answers 404.
    acme = account_id(server, "Acme Corporation")
    server.execute("UPDATE accounts SET country = 'CA' WHERE id = ?", (acme,))
    try:
        a = corporate(server, ACME)
        assert "/corporate/w9" not in a.get("/corporate/account").text
        assert a.get("/corporate/w9").status == 404
    finally:
        server.execute("UPDATE accounts SET country = 'US' WHERE id = ?", (acme,))


def test_03_admin_uploads_a_new_version(server):
    admin = staff(server, ADMIN)
    assert 'href="/staff/w9"' in admin.get("/staff/home").text
    page = admin.get("/staff/w9")
    assert 'enctype="multipart/form-data"' in page.text
    n = w9_count(server)
    data = pdf_bytes("version two")
    r = upload(admin, data, filename="C:\\scans\\W9 2026.pdf")
    assert r.status == 303 and r.location_path == "/staff/w9", (r.status, r.text[:300])
    assert w9_count(server) == n + 1
    row = server.query("SELECT filename, size, sha256, uploaded_by FROM vendor_files"
                       " ORDER BY id DESC LIMIT 1")[0]
    admin_id = server.scalar("SELECT id FROM staff_users WHERE email = ?", (ADMIN,))
    assert row == ("W9 2026.pdf", len(data), hashlib.sha256(data).hexdigest(), admin_id)
    assert server.count("audit_log", "action = 'w9_uploaded' AND actor_id = ?", (admin_id,)) == 1
    history = admin.get("/staff/w9?uploaded=1").text
    assert "The new W-9 has been uploaded." in history
    assert "W9 2026.pdf" in history and "sample-w9.pdf" in history  # every version listed
    assert history.index("W9 2026.pdf") < history.index("sample-w9.pdf")  # newest first
    # Customers now get the new version.
    assert corporate(server, ACME).get("/corporate/w9").raw == data


@pytest.mark.parametrize("data,filename,message", [
    (b"GIF89a not a pdf at all %%EOF", "w9.pdf", "The file is not a PDF."),
    (b"%PDF-1.7\nno trailer here", "w9.pdf", "The file is not a PDF."),
    (b"", "w9.pdf", "Choose the W-9 file to upload."),
    (None, None, "The file is larger than 5 MB."),
])
def test_04_upload_refusals(server, data, filename, message):
    admin = staff(server, ADMIN)
    if data is None:
        data = pdf_bytes("big", 5 * 1024 * 1024 + 1)
    n = w9_count(server)
    r = upload(admin, data, filename=filename)
    assert r.status == 400, r.status
    assert message in text_of(r.text)
    assert 'aria-invalid="true"' in r.text
    assert w9_count(server) == n


def test_05_upload_limits_roles_and_csrf(server):
    n = w9_count(server)
    admin = staff(server, ADMIN)
    # Without the CSRF token: refused.
    assert upload(admin, pdf_bytes(), csrf=False).status == 403
    # A body past the route's limit: 413, nothing kept.
    page = admin.get("/staff/w9")
    body, ctype = multipart({"csrf": csrf_of(page.text)},
                            {"file": ("w9.pdf", pdf_bytes("huge", 7 * 1024 * 1024), "x")})
    r = admin.request("POST", "/staff/w9", data=body, headers={"Content-Type": ctype})
    assert r.status == 413
    # A malformed multipart body: 400.
    r = admin.request("POST", "/staff/w9", data=b"--x\r\nbogus",
                      headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert r.status == 400
    # Other roles do not see the page.
    for who in (CARE, CAS, REP):
        c = staff(server, who)
        assert c.get("/staff/w9").status == 404
        assert 'href="/staff/w9"' not in c.get("/staff/home").text
    # Other routes keep the usual 64 KB limit for bodies.
    r = admin.request("POST", "/staff/accounts/1/billing-admin/verify", data=b"a=" + b"x" * 70000)
    assert r.status == 413
    assert w9_count(server) == n


def test_06_cli_upload(server, tmp_path):
    n = w9_count(server)
    bad = tmp_path / "notes.txt"
    bad.write_bytes(b"hello")
    r = run_cobro(harness.with_data_key(["vendor-file", "w9", str(bad), "--db", server.db_path]))
    assert r.returncode == 1 and "not a PDF" in r.stderr
    big = tmp_path / "big.pdf"
    big.write_bytes(pdf_bytes("big", 5 * 1024 * 1024 + 1))
    r = run_cobro(harness.with_data_key(["vendor-file", "w9", str(big), "--db", server.db_path]))
    assert r.returncode == 1 and "larger than 5 MB" in r.stderr
    r = run_cobro(harness.with_data_key(["vendor-file", "w9", str(tmp_path / "missing.pdf"),
                                         "--db", server.db_path]))
    assert r.returncode == 1 and "cannot open" in r.stderr
    assert run_cobro(["vendor-file"]).returncode == 2
    assert w9_count(server) == n
    good = tmp_path / "w9-cli.pdf"
    good.write_bytes(pdf_bytes("from the command line"))
    r = run_cobro(harness.with_data_key(["vendor-file", "w9", str(good), "--db", server.db_path]))
    assert r.returncode == 0, r.stderr
    assert w9_count(server) == n + 1
    assert server.query("SELECT filename, uploaded_by FROM vendor_files ORDER BY id DESC"
                        " LIMIT 1") == [("w9-cli.pdf", None)]
    assert corporate(server, ACME).get("/corporate/w9").raw == good.read_bytes()
    assert "command line" in staff(server, ADMIN).get("/staff/w9").text


# ---- Customer Care: the caller's verification ---------------------------------------------


@pytest.fixture
def initech(server):
    """Initech as the demo leaves it: owner@ billing administrator, no verification, no flag,
    no invited user."""
    aid = account_id(server, "Initech")

    def reset():
        server.execute("DELETE FROM account_flags WHERE account_id = ?", (aid,))
        server.execute("DELETE FROM care_verifications WHERE account_id = ?", (aid,))
        server.execute("DELETE FROM account_user_reset_tokens WHERE account_user_id IN"
                       " (SELECT id FROM account_users WHERE account_id = ? AND email NOT IN"
                       " (?, ?, ?))", (aid, OWNER, MEMBER, IT))
        server.execute("DELETE FROM account_users WHERE account_id = ? AND email NOT IN"
                       " (?, ?, ?)", (aid, OWNER, MEMBER, IT))
        server.execute("UPDATE account_users SET role = 'member' WHERE account_id = ?", (aid,))
        server.execute("UPDATE account_users SET role = 'billing_admin' WHERE email = ?", (OWNER,))
    reset()
    yield aid
    reset()


def care_page(c, aid):
    r = c.get("/staff/accounts/%d/billing-admin" % aid)
    assert r.status == 200, r.status
    return r


def verify(c, aid, card=None, basis="cardholder", holder="", admin_user="", page=None):
    page = page or care_page(c, aid)
    fields = dict(CARD if card is None else card)
    fields.update({"basis": basis, "holder_name": holder, "admin_user": str(admin_user),
                   "csrf": csrf_of(page.text)})
    return c.post("/staff/accounts/%d/billing-admin/verify" % aid, fields)


def outcome(page):
    oks = re.findall(r'<dd data-ok="(\d)">', page)
    assert len(oks) == 2, page[:2000]
    return tuple(o == "1" for o in oks)


WRONG_CARD = {"last4": "4243", "exp_month": "12", "exp_year": "2030"}


@pytest.mark.parametrize("basis", ["cardholder", "registered_admin"])
@pytest.mark.parametrize("card_ok", [True, False])
@pytest.mark.parametrize("person_ok", [True, False])
def test_10_each_combination(server, initech, basis, card_ok, person_ok):
    c = staff(server, CARE)
    if basis == "cardholder":
        person = {"holder": "  PÉTER   gibbons " if person_ok else "Bill Lumbergh"}
    else:
        # A member who is not a registered administrator does not count as one.
        person = {"admin_user": user_id(server, IT if person_ok else MEMBER)}
    r = verify(c, initech, card=CARD if card_ok else WRONG_CARD, basis=basis, **person)
    assert r.status == 200, r.status
    assert outcome(r.text) == (card_ok, person_ok)
    t = text_of(r.text)
    # Care never sees the card or the name on file.
    assert "4242" not in t and "2030" not in t
    if not (card_ok and person_ok):
        assert "Gibbons" not in t
        assert "The caller is not verified" in t
        assert 'name="verification"' not in r.text
    else:
        assert "The caller is verified." in t and 'name="verification"' in r.text
    assert server.query("SELECT basis, card_ok, person_ok, used_at FROM care_verifications"
                        " WHERE account_id = ?", (initech,)) == [
        (basis, int(card_ok), int(person_ok), None)]
    action = "care_caller_verified" if card_ok and person_ok else "care_caller_not_verified"
    assert server.count("audit_log", "account_id = ? AND action = ? AND field = ?",
                        (initech, action, basis)) >= 1
    assert server.count("account_flags", "account_id = ?", (initech,)) == 0


def test_11_malformed_input_is_not_counted(server, initech):
    c = staff(server, CARE)
    r = verify(c, initech, card={"last4": "42", "exp_month": "13", "exp_year": "30x"},
               basis="", holder="")
    assert r.status == 400
    t = text_of(r.text)
    for message in ("Type the last four digits of the card.",
                    "Type the month as a number from 1 to 12.",
                    "Type the year with four digits, such as 2030.", "Choose who the caller is."):
        assert message in t
    assert 'value="42"' in r.text  # what was typed comes back
    assert server.count("care_verifications", "account_id = ?", (initech,)) == 0
    # A two-digit year is the same year.
    r = verify(c, initech, card=dict(CARD, exp_year="30"), holder="Peter Gibbons")
    assert outcome(r.text) == (True, True)


def test_12_three_failures_lock_and_flag(server, initech):
    c = staff(server, CARE)
    # Failures of earlier days do not count.
    for _ in range(3):
        server.execute("INSERT INTO care_verifications (account_id, staff_id, basis, card_ok,"
                       " person_ok, created_at) VALUES (?, 1, 'cardholder', 0, 0, ?)",
                       (initech, int(harness.now()) - 3 * 86400))
    for i in range(3):
        r = verify(c, initech, card=WRONG_CARD, holder="Peter Gibbons")
        assert r.status == 200 and outcome(r.text) == (False, True)
        assert server.count("account_flags", "account_id = ? AND cleared_at IS NULL",
                            (initech,)) == (1 if i == 2 else 0)
    assert server.count("audit_log", "account_id = ? AND action = 'care_change_locked'",
                        (initech,)) >= 1
    # Locked: even the right details are refused, and nothing more is logged.
    page = care_page(c, initech)
    assert "The change is locked for this account" in text_of(page.text)
    assert 'name="last4"' not in page.text
    n = server.count("care_verifications")
    r = verify(c, initech, holder="Peter Gibbons", page=page)
    assert r.status == 429 and server.count("care_verifications") == n
    # Care cannot clear the flag; an admin sees it on the home page and clears it.
    flag = server.scalar("SELECT id FROM account_flags WHERE account_id = ? AND cleared_at IS"
                         " NULL", (initech,))
    token = csrf_of(page.text)
    assert c.post("/staff/flags/%d/clear" % flag, {"csrf": token}).status == 404
    admin = staff(server, ADMIN)
    home = admin.get("/staff/home").text
    assert "Accounts to look at" in home and "/staff/flags/%d/clear" % flag in home
    account_page = admin.get("/staff/accounts/%d" % initech).text
    assert "/staff/flags/%d/clear" % flag in account_page
    assert admin.post("/staff/flags/%d/clear" % flag, {}).status == 403  # CSRF
    r = admin.post("/staff/flags/%d/clear" % flag, {"csrf": csrf_of(home)})
    assert r.status == 303 and r.location_path == "/staff/accounts/%d" % initech
    admin_id = server.scalar("SELECT id FROM staff_users WHERE email = ?", (ADMIN,))
    assert server.query("SELECT cleared_by FROM account_flags WHERE id = ?", (flag,)) == [
        (admin_id,)]
    assert server.count("audit_log", "account_id = ? AND action = 'account_flag_cleared'",
                        (initech,)) == 1
    assert admin.post("/staff/flags/%d/clear" % flag, {"csrf": csrf_of(home)}).status == 404
    # The count starts again after the flag was cleared.
    r = verify(c, initech, holder="Peter Gibbons")
    assert outcome(r.text) == (True, True)


# ---- Customer Care: the change -----------------------------------------------------------


def verified(server, c, aid):
    r = verify(c, aid, basis="registered_admin", admin_user=user_id(server, IT))
    assert outcome(r.text) == (True, True)
    return r


def change(c, aid, page, **fields):
    data = {"verification": re.search(r'name="verification" value="(\d+)"', page.text).group(1),
            "csrf": csrf_of(page.text)}
    data.update(fields)
    return c.post("/staff/accounts/%d/billing-admin/change" % aid, data)


def admins(server, aid):
    return [e for (e,) in server.query("SELECT email FROM account_users WHERE account_id = ? AND"
                                       " role = 'billing_admin' ORDER BY id", (aid,))]


def test_20_change_to_a_user_of_the_account(server, initech):
    c = staff(server, CARE)
    page = verified(server, c, initech)
    mails = server.count("email_outbox")
    r = change(c, initech, page, new_user=str(user_id(server, MEMBER)))
    assert r.status == 303, (r.status, text_of(r.text)[:500])
    assert admins(server, initech) == [MEMBER]
    assert server.scalar("SELECT role FROM account_users WHERE email = ?", (OWNER,)) == "member"
    sent = server.query("SELECT to_addr, kind FROM email_outbox WHERE id > (SELECT MAX(id) - 2"
                        " FROM email_outbox) ORDER BY id")
    assert server.count("email_outbox") == mails + 2
    assert sorted(sent) == [(OWNER, "billing_admin_changed"), (MEMBER, "billing_admin_changed")]
    assert server.query("SELECT old_value, new_value FROM audit_log WHERE account_id = ? AND"
                        " action = 'billing_admin_changed'", (initech,))[-1] == (OWNER, MEMBER)
    assert server.scalar("SELECT COUNT(*) FROM care_verifications WHERE account_id = ? AND"
                         " used_at IS NOT NULL", (initech,)) == 1
    done = c.get(r.location).text
    assert "The billing administrator has been changed." in text_of(done)
    # The verification is used: a second change with it is refused, nothing changes.
    r = change(c, initech, page, new_user=str(user_id(server, IT)))
    assert r.status == 409 and "Verify the caller again" in text_of(r.text)
    assert admins(server, initech) == [MEMBER]


def test_21_change_refusals(server, initech):
    c = staff(server, CARE)
    page = verified(server, c, initech)
    r = change(c, initech, page, new_user=str(user_id(server, OWNER)))
    assert r.status == 400 and "already the billing administrator" in text_of(r.text)
    r = change(c, initech, page, new_user="")
    assert r.status == 400 and "Choose the new billing administrator." in text_of(r.text)
    other = server.scalar("SELECT id FROM account_users WHERE account_id <> ? ORDER BY id LIMIT 1",
                          (initech,))
    if other:
        assert change(c, initech, page, new_user=str(other)).status == 400
    r = change(c, initech, page, new_user="invite", invite_name="Milton",
               invite_email="OWNER@initech.example")
    assert r.status == 400 and "already signs in to the Billing Center" in text_of(r.text)
    r = change(c, initech, page, new_user="invite", invite_name="", invite_email="not-an-email")
    assert r.status == 400 and 'value="not-an-email"' in r.text
    # Another staff member cannot use Care's verification.
    admin = staff(server, ADMIN)
    admin_page = care_page(admin, initech)
    data = {"verification": re.search(r'name="verification" value="(\d+)"', page.text).group(1),
            "csrf": csrf_of(admin_page.text), "new_user": str(user_id(server, MEMBER))}
    assert admin.post("/staff/accounts/%d/billing-admin/change" % initech, data).status == 409
    # An old verification is no longer valid.
    server.execute("UPDATE care_verifications SET created_at = created_at - 3600 WHERE"
                   " account_id = ?", (initech,))
    assert change(c, initech, page, new_user=str(user_id(server, MEMBER))).status == 409
    assert admins(server, initech) == [OWNER]


def test_22_invite_a_new_administrator(server, initech):
    c = staff(server, CARE)
    page = verified(server, c, initech)
    r = change(c, initech, page, new_user="invite", invite_name="Milton Waddams",
               invite_email="Milton@Initech.example")
    assert r.status == 303, text_of(r.text)[:400]
    assert admins(server, initech) == ["milton@initech.example"]
    uid = user_id(server, "milton@initech.example")
    body = server.scalar("SELECT body_text FROM email_outbox WHERE to_addr = ? AND"
                         " kind = 'billing_admin_invited'", ("milton@initech.example",))
    token = re.search(r"/billing/reset\?token=([A-Za-z0-9_-]{43})", body).group(1)
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert server.query("SELECT account_user_id, used_at FROM account_user_reset_tokens WHERE"
                        " token_digest = ?", (digest,)) == [(uid, None)]
    assert server.count("email_outbox", "to_addr = ? AND kind = 'billing_admin_changed'",
                        (OWNER,)) >= 1
    assert server.count("audit_log", "account_id = ? AND action = 'account_user_invited' AND"
                        " new_value = ?", (initech, "milton@initech.example")) == 1
    # The invited user cannot sign in before setting a password; the invitation's link sets it
    # on the Billing Center's reset page, once.
    assert server.client().sign_in_billing("milton@initech.example").status != 303
    c = server.client()
    assert c.get("/billing/reset?token=" + token).status == 200
    r = post_reset(c, "billing", token, "Stapler-Red-2026")
    assert r.status in (200, 303), text_of(r.text)[:400]
    assert server.client().sign_in_billing("milton@initech.example",
                                           "Stapler-Red-2026").status == 303
    used = server.client().get("/billing/reset?token=" + token)
    assert 'name="password"' not in used.text


def test_23_many_writers_keep_one_billing_admin(server, initech):
    """Two agents change the administrator at once, to two different users: the account ends
    with exactly one billing administrator."""
    c1, c2 = staff(server, CARE), staff(server, ADMIN)
    p1, p2 = verified(server, c1, initech), verified(server, c2, initech)
    results = []
    targets = [(c1, p1, MEMBER), (c2, p2, IT)]

    def run(c, page, email):
        results.append(change(c, initech, page, new_user=str(user_id(server, email))).status)

    threads = [threading.Thread(target=run, args=t) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(s in (303, 400) for s in results), results
    assert len(admins(server, initech)) == 1


def test_24_roles_accounts_and_csrf(server, initech):
    acme = account_id(server, "Acme Corporation")
    for who in (CAS, REP):
        c = staff(server, who)
        assert c.get("/staff/accounts/%d/billing-admin" % initech).status == 404
        assert "/billing-admin" not in c.get("/staff/accounts/%d" % initech).text
        token = csrf_of(c.get("/staff/home").text)
        fields = dict(CARD, basis="cardholder", holder_name="Peter Gibbons", csrf=token)
        assert c.post("/staff/accounts/%d/billing-admin/verify" % initech, fields).status == 404
    care = staff(server, CARE)
    assert "/staff/accounts/%d/billing-admin" % initech in care.get(
        "/staff/accounts/%d" % initech).text
    # A corporate account, an unknown one: 404.
    assert care.get("/staff/accounts/%d/billing-admin" % acme).status == 404
    assert care.get("/staff/accounts/999999/billing-admin").status == 404
    token = csrf_of(care.get("/staff/home").text)
    fields = dict(CARD, basis="cardholder", holder_name="Peter Gibbons", csrf=token)
    assert care.post("/staff/accounts/%d/billing-admin/verify" % acme, fields).status == 404
    # Without the CSRF token: refused, nothing logged.
    del fields["csrf"]
    assert care.post("/staff/accounts/%d/billing-admin/verify" % initech, fields).status == 403
    assert server.count("care_verifications", "account_id = ?", (initech,)) == 0
    # Signed out: to the sign-in page.
    r = server.client().get("/staff/accounts/%d/billing-admin" % initech)
    assert r.status == 303


def test_25_demo_registered_admin_idempotent(server):
    aid = account_id(server, "Initech")
    assert server.query("SELECT email, registered_admin FROM account_users WHERE account_id = ?"
                        " ORDER BY email", (aid,)) == [(IT, 1), (OWNER, 0), (MEMBER, 0)]
    n = w9_count(server)
    r = run_cobro(harness.with_data_key(["demo", "--db", server.db_path]))
    assert r.returncode == 0, r.stderr
    assert server.count("account_users", "account_id = ?", (aid,)) == 3
    assert w9_count(server) == n
