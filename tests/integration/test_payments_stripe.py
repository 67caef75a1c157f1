"""Card payments through Stripe (issue 12), against the fake of tests/fakes/stripe_fake.py with
its faults: a time-out, a 500 and a reset connection when the hosted page is made (nothing
charged, the reservation released), an event that never arrives (reconciled by asking, never
charged again), the same event twice and events out of order (settled once), a bad signature and
an old timestamp (refused, then the good delivery settles), a decline followed by a good card on
the same page. `cobro verify` after each."""
import atexit
import datetime
import os
import shutil
import tempfile
import time

import pytest

import harness
from harness import REPO, csrf_of, input_value, run_cobro
from stripe_fake import StripeFake

os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(REPO, "tests", "lsan.supp"))

ACME_LOGIN = "acme-billing"

# The fake runs for the whole module; cobro is started pointing at it (SERVER_ARGS).
FAKE = StripeFake().start()
_KEYS = tempfile.mkdtemp(prefix="cobro-stripe-")
KEY_FILE, SECRET_FILE = FAKE.write_key_files(_KEYS)
atexit.register(lambda: (FAKE.stop(), shutil.rmtree(_KEYS, ignore_errors=True)))
SERVER_ARGS = ["--payments", "stripe", "--stripe-key-file", KEY_FILE,
               "--stripe-webhook-secret-file", SECRET_FILE, "--stripe-api-url", FAKE.url]
# A time-out within the test's patience (the fake's time-out fault sleeps 3 s).
SERVER_ENV = {"COBRO_STRIPE_TIMEOUT_MS": "1500"}


@pytest.fixture(autouse=True)
def events_to_cobro(server):
    FAKE.reset()  # no fault or object left over from another test
    FAKE.set_webhook(server.base_url + "/payments/events")


def signed_in(server):
    c = server.client()
    assert c.sign_in_corporate(ACME_LOGIN).status == 303
    return c


def acme_invoice(server):
    """Acme's invoice with a balance and no payment in progress, and its balance."""
    rows = server.query(
        "SELECT i.number, i.total - i.amount_paid FROM invoices i JOIN accounts a"
        " ON a.id = i.account_id WHERE a.name = 'Acme Corporation' AND i.amount_paid < i.total"
        " AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.invoice_id = i.id"
        " AND p.state IN ('pending', 'processing', 'unknown')) ORDER BY i.id")
    assert rows
    return rows[0]


def paid(server, number):
    return server.scalar("SELECT amount_paid FROM invoices WHERE number = ?", (number,))


def start(server, c, number, amount):
    page = c.get("/corporate/invoices/%s/pay" % number)
    assert page.status == 200
    return c.post("/corporate/invoices/%s/pay" % number,
                  {"csrf": csrf_of(page.text), "amount": amount})


def last_payment(server):
    row = server.query("SELECT id, state, session_ref, decline_code FROM payments"
                       " ORDER BY id DESC LIMIT 1")[0]
    return dict(zip(("id", "state", "session_ref", "decline_code"), row))


def state_of(server, pid):
    return server.scalar("SELECT state FROM payments WHERE id = ?", (pid,))


def charges(pid):
    """PaymentIntents the fake holds for our payment: each is a charge of the card."""
    return [o for o in FAKE.objects().values() if isinstance(o, dict)
            and o.get("object") == "payment_intent"
            and (o.get("metadata") or {}).get("cobro_payment") == str(pid)
            and o.get("status") == "succeeded"]


def verify_clean(server):
    out = run_cobro(["verify", "--db", server.db_path], cwd=server.dir)
    assert out.returncode == 0, out.stdout + out.stderr


def reconcile_later(server, minutes):
    """`cobro payments reconcile` with the clock minutes ahead (as the server's worker would)."""
    later = datetime.datetime.fromtimestamp(harness.now() + minutes * 60, datetime.timezone.utc)
    env = harness.clean_env(COBRO_NOW=later.strftime("%Y-%m-%dT%H:%M:%SZ"))
    out = run_cobro(["payments", "reconcile", "--db", server.db_path] + SERVER_ARGS,
                    cwd=server.dir, env=env)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_01_paid_in_full_on_stripes_page(server):
    number, balance = acme_invoice(server)
    before = paid(server, number)
    c = signed_in(server)
    r = start(server, c, number, "50.00")
    assert r.status == 303
    assert r.headers["Location"].startswith("https://checkout.stripe.test/c/pay/cs_")
    p = last_payment(server)
    made = [q for q in FAKE.requests() if q["path"] == "/v1/checkout/sessions"]
    assert made[-1]["idempotency_key"] == "cobro-payment-%d" % p["id"]
    assert made[-1]["params"]["metadata[cobro_payment]"] == str(p["id"])
    FAKE.complete(p["session_ref"])  # its events are delivered before this answers
    assert state_of(server, p["id"]) == "succeeded"
    assert paid(server, number) == before + 5000
    assert server.scalar("SELECT status FROM invoices WHERE number = ?",
                         (number,)) == "partially_paid"
    assert server.scalar("SELECT SUM(amount) FROM payment_allocations WHERE payment_id = ?",
                         (p["id"],)) == 5000
    verify_clean(server)


@pytest.mark.parametrize("fault", ["timeout", "500", "reset"])
def test_02_no_page_made_nothing_charged(server, fault):
    number, balance = acme_invoice(server)
    c = signed_in(server)
    FAKE.fault("/v1/checkout/sessions", fault, method="POST", sleep=3)
    r = start(server, c, number, "10.00")
    assert r.status == 503
    assert "could not be reached. Nothing was charged" in r.text
    p = last_payment(server)
    assert (p["state"], p["decline_code"]) == ("failed", "gateway_unavailable")
    # The reservation is gone: the whole balance may be paid again.
    page = c.get("/corporate/invoices/%s/pay" % number)
    assert input_value(page.text, "amount") == "%d.%02d" % (balance // 100, balance % 100)
    assert charges(p["id"]) == []
    verify_clean(server)


def test_03_an_event_that_never_arrives_is_asked_for(server):
    number, _ = acme_invoice(server)
    before = paid(server, number)
    c = signed_in(server)
    assert start(server, c, number, "12.00").status == 303
    p = last_payment(server)
    FAKE.event_fault("drop", count=2)  # both of its events
    FAKE.complete(p["session_ref"])
    assert state_of(server, p["id"]) == "pending"  # no event: not settled
    # Before its page could have expired, nothing is asked yet.
    assert "0 settled" in reconcile_later(server, 1)
    assert state_of(server, p["id"]) == "pending"
    assert "1 settled" in reconcile_later(server, 40)
    assert state_of(server, p["id"]) == "succeeded"
    assert paid(server, number) == before + 1200
    assert len(charges(p["id"])) == 1  # asked, never charged again
    verify_clean(server)


@pytest.mark.parametrize("fault", ["duplicate", "reorder"])
def test_04_events_twice_or_out_of_order_settle_once(server, fault):
    number, _ = acme_invoice(server)
    before = paid(server, number)
    c = signed_in(server)
    assert start(server, c, number, "13.00").status == 303
    p = last_payment(server)
    FAKE.event_fault(fault, count=2)
    FAKE.complete(p["session_ref"])
    assert state_of(server, p["id"]) == "succeeded"
    assert paid(server, number) == before + 1300
    assert server.scalar("SELECT COUNT(*) FROM payment_allocations WHERE payment_id = ?",
                         (p["id"],)) == 1
    verify_clean(server)


@pytest.mark.parametrize("fault", ["bad_signature", "old_timestamp"])
def test_05_forged_or_stale_deliveries_are_refused(server, fault):
    number, _ = acme_invoice(server)
    before = paid(server, number)
    c = signed_in(server)
    assert start(server, c, number, "14.00").status == 303
    p = last_payment(server)
    FAKE.event_fault(fault, count=2)
    FAKE.complete(p["session_ref"])
    assert state_of(server, p["id"]) == "pending"
    assert paid(server, number) == before
    # Stripe's retry, properly signed, is taken.
    mine = [e for e in FAKE.events() if p["session_ref"] in e["body"]
            or ('"cobro_payment": "%d"' % p["id"]) in e["body"]
            or ('"cobro_payment":"%d"' % p["id"]) in e["body"]]
    assert mine
    for e in mine:
        FAKE.deliver(e["id"])
    assert state_of(server, p["id"]) == "succeeded"
    assert paid(server, number) == before + 1400
    verify_clean(server)


def test_06_declined_then_paid_with_another_card(server):
    number, _ = acme_invoice(server)
    before = paid(server, number)
    c = signed_in(server)
    assert start(server, c, number, "15.00").status == 303
    p = last_payment(server)
    FAKE.complete(p["session_ref"], card="4000000000000002")
    assert state_of(server, p["id"]) == "failed"
    assert server.scalar("SELECT decline_code FROM payments WHERE id = ?", (p["id"],)) in (
        "generic_decline", "card_declined")
    # Stripe's page stays open after a decline: a good card then pays it.
    FAKE.complete(p["session_ref"], card="4242424242424242")
    assert state_of(server, p["id"]) == "succeeded"
    assert paid(server, number) == before + 1500
    verify_clean(server)
