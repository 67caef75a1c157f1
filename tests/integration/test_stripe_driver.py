"""The Stripe driver (src/payments/stripe.c) against the fake Stripe API (tests/fakes/
stripe_fake.py), through build/stripe_probe: pages, saved cards, retrieval, refunds, events, and
every injected fault ending in the answer the payment service needs (docs/stripe.md)."""
import json

import pytest

import harness
from stripe_fake import SECRET, StripeProbe, WebhookSink, stripe_fake  # noqa: F401 (fixture)

PROBE_ENV = {"COBRO_STRIPE_TIMEOUT_MS": "1000"}  # the fake's stalls last 2.5 s
STALL = 2.5
# A page's expiry, fixed once: a retried request must carry the same parameters (the service
# rebuilds it from its row), or Stripe refuses the reused key.
EXPIRES = int(harness.now()) + 1800


@pytest.fixture
def fake(stripe_fake):  # noqa: F811
    stripe_fake.reset()
    stripe_fake.set_webhook("")
    return stripe_fake


@pytest.fixture
def probe(fake, tmp_path):
    p = StripeProbe(fake, str(tmp_path), env=PROBE_ENV)
    yield p
    err = p.close()
    assert not any(m in err for m in harness.SANITIZER_MARKS), err


@pytest.fixture
def sink(fake):
    s = WebhookSink()
    fake.set_webhook(s.url)
    yield s
    s.stop()


def checkout(probe, payment_id=42, key=None, amount=12550, **more):
    args = dict(payment_id=payment_id, key=key or "cobro-payment-%d" % payment_id,
                amount=amount, currency="USD", description="Invoice INV-2026-000123",
                email="ap@acme.example", customer="", lang="fr",
                success_url="http://127.0.0.1:1/portal/invoices/7?paid=1",
                cancel_url="http://127.0.0.1:1/portal/invoices/7",
                expires_at=EXPIRES)
    args.update(more)
    return probe("create_checkout", **args)


def posts(fake, path):
    return [r for r in fake.requests() if r["method"] == "POST" and r["path"] == path]


def sessions(fake):
    return [o for o in fake.objects().values() if o["object"] == "checkout.session"]


def intents(fake):
    return [o for o in fake.objects().values() if o["object"] == "payment_intent"]


def read(probe, body, header, now=None):
    if isinstance(body, bytes):
        body = body.decode()
    return probe("read_event", body=body, header=header or "",
                 now=int(now if now is not None else harness.now()))


def test_create_checkout_sends_our_key_amount_and_metadata(fake, probe):
    a = checkout(probe)
    assert a["result"] == "OK", a
    assert a["session_ref"].startswith("cs_test_")
    assert a["url"].endswith(a["session_ref"])
    [req] = posts(fake, "/v1/checkout/sessions")
    assert req["idempotency_key"] == "cobro-payment-42"
    assert req["authorization"] == "Bearer " + fake.key
    assert req["stripe_version"] == "2024-06-20"
    p = req["params"]
    assert p["mode"] == "payment"
    assert p["line_items[0][price_data][unit_amount]"] == "12550"
    assert p["line_items[0][price_data][currency]"] == "usd"
    assert p["line_items[0][price_data][product_data][name]"] == "Invoice INV-2026-000123"
    assert p["line_items[0][quantity]"] == "1"
    assert p["metadata[cobro_payment]"] == "42"
    assert p["payment_intent_data[metadata][cobro_payment]"] == "42"
    assert p["client_reference_id"] == "42"
    assert p["customer_email"] == "ap@acme.example" and "customer" not in p
    assert p["locale"] == "fr"
    assert p["success_url"] == "http://127.0.0.1:1/portal/invoices/7?paid=1"
    assert p["expires_at"] == str(EXPIRES)
    # A known customer is named instead of the email.
    b = checkout(probe, payment_id=43, customer="cus_known")
    assert b["result"] == "OK"
    assert posts(fake, "/v1/checkout/sessions")[1]["params"]["customer"] == "cus_known"


def test_the_same_request_twice_is_the_same_session(fake, probe):
    a = checkout(probe)
    b = checkout(probe)
    assert a["result"] == b["result"] == "OK"
    assert a["session_ref"] == b["session_ref"]
    assert len(sessions(fake)) == 1
    # The same key with other parameters is refused, as Stripe refuses it.
    c = checkout(probe, amount=999)
    assert c["result"] == "ERROR" and "idempotent" in c["err"]
    assert len(sessions(fake)) == 1


def test_time_out_is_unknown_and_the_retry_finds_the_session(fake, probe):
    fake.fault("/v1/checkout/sessions", "timeout", sleep=STALL)
    a = checkout(probe)
    assert a["result"] == "UNKNOWN", a
    assert a["session_ref"] == ""
    [made] = sessions(fake)  # the fake made it; the answer was lost
    b = checkout(probe)  # the same request, the same key: Stripe's answer replayed
    assert b["result"] == "OK" and b["session_ref"] == made["id"]
    assert len(sessions(fake)) == 1
    r = probe("retrieve", payment_id=42, key="cobro-payment-42", session_ref=b["session_ref"],
              payment_ref="")
    assert r["result"] == "OK" and r["state"] == "PENDING"


def test_500_and_reset_are_unknown(fake, probe):
    fake.fault("/v1/checkout/sessions", "500")
    a = checkout(probe)
    assert a["result"] == "UNKNOWN" and "500" in a["err"]
    fake.fault("/v1/checkout/sessions", "reset")
    b = checkout(probe, payment_id=50)
    assert b["result"] == "UNKNOWN", b
    assert len(sessions(fake)) == 1  # the reset one was made
    c = checkout(probe, payment_id=50)
    assert c["result"] == "OK" and c["session_ref"] == sessions(fake)[0]["id"]


def test_400_is_an_error_and_a_wrong_key_too(fake, probe, tmp_path):
    fake.fault("/v1/checkout/sessions", "400")
    a = checkout(probe)
    assert a["result"] == "ERROR" and "400" in a["err"]
    assert sessions(fake) == []
    other = StripeProbe(fake, str(tmp_path), key="sk_test_wrong", env=PROBE_ENV)
    try:
        b = checkout(other)
        assert b["result"] == "ERROR" and "401" in b["err"]
        assert "sk_test_wrong" not in b["err"]
    finally:
        other.close()


def charge(probe, payment_id=60, method="pm_card_visa", amount=2000):
    return probe("charge_saved", payment_id=payment_id, key="cobro-payment-%d" % payment_id,
                 amount=amount, currency="EUR", description="Invoice INV-2026-000200",
                 customer="cus_acme", method=method)


def test_charge_saved_succeeds_or_is_declined_with_its_code(fake, probe):
    a = charge(probe)
    assert a["result"] == "OK" and a["state"] == "SUCCEEDED", a
    assert a["payment_ref"].startswith("pi_") and a["amount"] == 2000 and a["currency"] == "EUR"
    assert (a["brand"], a["last4"]) == ("visa", "4242")
    [req] = posts(fake, "/v1/payment_intents")
    p = req["params"]
    assert req["idempotency_key"] == "cobro-payment-60"
    assert (p["confirm"], p["off_session"], p["customer"], p["payment_method"]) == (
        "true", "true", "cus_acme", "pm_card_visa")
    assert p["metadata[cobro_payment]"] == "60" and p["amount"] == "2000"
    b = charge(probe, 61, "pm_card_chargeDeclined")
    assert b["result"] == "DECLINED" and b["decline_code"] == "generic_decline", b
    assert b["state"] == "FAILED" and b["payment_ref"].startswith("pi_")
    c = charge(probe, 62, "pm_card_chargeDeclinedInsufficientFunds")
    assert c["result"] == "DECLINED" and c["decline_code"] == "insufficient_funds"
    # Asked again with the same key: the same answer, no second charge.
    assert charge(probe)["payment_ref"] == a["payment_ref"]
    assert len(intents(fake)) == 3


def test_a_lost_charge_is_found_by_retrieve_never_charged_again(fake, probe):
    fake.fault("/v1/payment_intents", "timeout", method="POST", sleep=STALL)
    a = charge(probe, 70)
    assert a["result"] == "UNKNOWN", a
    r = probe("retrieve", payment_id=70, key="cobro-payment-70", session_ref="", payment_ref="")
    assert r["result"] == "OK" and r["state"] == "SUCCEEDED", r
    assert (r["amount"], r["brand"], r["last4"]) == (2000, "visa", "4242")
    fake.fault("/v1/payment_intents", "reset", method="POST")
    assert charge(probe, 71)["result"] == "UNKNOWN"
    r = probe("retrieve", payment_id=71, key="k", session_ref="", payment_ref="")
    assert r["state"] == "SUCCEEDED"
    assert len(intents(fake)) == 2  # retrieve never charged
    assert len(posts(fake, "/v1/payment_intents")) == 2
    # Nothing made: not found. A failed search (500) is unknown, not "not found".
    r = probe("retrieve", payment_id=72, key="k", session_ref="", payment_ref="")
    assert r["result"] == "OK" and r["state"] == "NOT_FOUND"
    fake.fault("/v1/payment_intents/search", "500")
    r = probe("retrieve", payment_id=72, key="k", session_ref="", payment_ref="")
    assert r["result"] == "UNKNOWN"


def test_retrieve_states_of_a_page(fake, probe):
    def state(session_ref="", payment_ref=""):
        r = probe("retrieve", payment_id=42, key="k", session_ref=session_ref,
                  payment_ref=payment_ref)
        assert r["result"] == "OK", r
        return r

    a = checkout(probe)
    assert state(a["session_ref"])["state"] == "PENDING"
    fake.complete(a["session_ref"], "4000000000000002")  # declined: the page stays open
    assert state(a["session_ref"])["state"] == "PENDING"
    fake.complete(a["session_ref"], "4242424242424242")
    r = state(a["session_ref"])
    assert r["state"] == "SUCCEEDED" and (r["brand"], r["last4"]) == ("visa", "4242")
    assert r["amount"] == 12550 and r["currency"] == "USD"
    assert state(payment_ref=r["payment_ref"])["state"] == "SUCCEEDED"
    b = checkout(probe, payment_id=44)
    fake.expire(b["session_ref"])
    assert state(b["session_ref"])["state"] == "EXPIRED"
    missing = probe("retrieve", payment_id=42, key="k", session_ref="cs_test_nope",
                    payment_ref="")
    assert missing["result"] == "ERROR"  # a session we made cannot vanish: not "not found"
    bad = probe("retrieve", payment_id=42, key="k", session_ref="cs/../../v1/refunds",
                payment_ref="")
    assert bad["result"] == "ERROR"


def test_refund(fake, probe):
    a = charge(probe, 80)
    r = probe("refund", refund_id=5, key="cobro-refund-5", payment_ref=a["payment_ref"],
              amount=500, currency="EUR")
    assert r["result"] == "OK" and r["state"] == "SUCCEEDED" and r["refund_ref"].startswith("re_")
    [req] = posts(fake, "/v1/refunds")
    assert req["idempotency_key"] == "cobro-refund-5"
    assert req["params"] == {"payment_intent": a["payment_ref"], "amount": "500",
                             "metadata[cobro_refund]": "5"}
    again = probe("refund", refund_id=5, key="cobro-refund-5", payment_ref=a["payment_ref"],
                  amount=500, currency="EUR")
    assert again["refund_ref"] == r["refund_ref"]
    too_much = probe("refund", refund_id=6, key="cobro-refund-6", payment_ref=a["payment_ref"],
                     amount=1501, currency="EUR")
    assert too_much["result"] == "ERROR"


def test_events_read_after_their_signature(fake, probe, sink):
    a = checkout(probe)
    fake.complete(a["session_ref"], "4242424242424242")
    got = sink.take()
    assert [json.loads(b)["type"] for b, _ in got] == ["checkout.session.completed",
                                                       "payment_intent.succeeded"]
    for body, header in got:
        e = read(probe, body, header)
        assert e["result"] == "OK", e
        assert e["kind"] == "PAYMENT_SUCCEEDED" and e["payment_id"] == 42
        assert e["amount"] == 12550 and e["currency"] == "USD"
        # Stripe's events name the charge by id only: the driver asked for the card.
        assert (e["brand"], e["last4"]) == ("visa", "4242")
    session_event = read(probe, *got[0])
    assert session_event["session_ref"] == a["session_ref"]
    body, header = got[1]
    # Forged: another body under the same signature; an old one; the future.
    assert read(probe, body.replace(b"12550", b"12551"), header)["result"] == "ERROR"
    # Measured from the signature's own timestamp: from the tests' clock, truncated to the
    # second, an age of 300.x seconds could come out as 300 and pass.
    signed_at = int(dict(p.split("=", 1) for p in header.split(","))["t"])
    assert read(probe, body, header, now=signed_at + 301)["result"] == "ERROR"
    assert read(probe, body, header, now=signed_at - 301)["result"] == "ERROR"
    assert read(probe, body, "")["result"] == "ERROR"
    assert read(probe, body, "t=1,v1=00")["result"] == "ERROR"
    # The fake's own forged and stale deliveries.
    b = checkout(probe, payment_id=45)
    fake.event_fault("bad_signature")
    fake.complete(b["session_ref"])
    forged = sink.take()
    assert len(forged) == 2
    for body, header in forged:
        assert read(probe, body, header)["result"] == "ERROR"
    c = checkout(probe, payment_id=46)
    fake.event_fault("old_timestamp")
    fake.complete(c["session_ref"])
    stale = sink.take()
    assert len(stale) == 2
    for body, header in stale:
        assert read(probe, body, header)["result"] == "ERROR"


def test_declined_expired_and_refund_events(fake, probe, sink):
    a = checkout(probe)
    fake.complete(a["session_ref"], "4000000000009995")
    [(body, header)] = sink.take()
    e = read(probe, body, header)
    assert (e["result"], e["kind"], e["decline_code"]) == ("OK", "PAYMENT_FAILED",
                                                           "insufficient_funds")
    assert e["payment_id"] == 42
    fake.expire(a["session_ref"])
    [(body, header)] = sink.take()
    e = read(probe, body, header)
    assert (e["kind"], e["payment_id"], e["session_ref"]) == ("CHECKOUT_EXPIRED", 42,
                                                              a["session_ref"])
    c = charge(probe, 90)
    assert len(sink.take_at_least(1)) == 1  # payment_intent.succeeded
    probe("refund", refund_id=9, key="cobro-refund-9", payment_ref=c["payment_ref"], amount=700,
          currency="EUR")
    [(body, header)] = sink.take_at_least(1)
    e = read(probe, body, header)
    assert (e["kind"], e["refund_id"], e["refund_state"]) == ("REFUND_UPDATED", 9, "SUCCEEDED")
    assert e["refund_ref"].startswith("re_") and e["payment_ref"] == c["payment_ref"]


def test_events_twice_out_of_order_or_never(fake, probe, sink):
    a = checkout(probe, payment_id=47)
    fake.event_fault("duplicate")
    fake.complete(a["session_ref"])
    got = sink.take()
    ids = [json.loads(b)["id"] for b, _ in got]
    assert len(ids) == 4 and ids[0] == ids[1] and ids[2] == ids[3]
    # Each copy reads the same (the service acts on an event id once).
    assert read(probe, *got[0]) == read(probe, *got[1])
    b = checkout(probe, payment_id=48)
    fake.event_fault("reorder")
    fake.complete(b["session_ref"])
    assert [json.loads(x)["type"] for x, _ in sink.take()] == [
        "payment_intent.succeeded", "checkout.session.completed"]
    c = checkout(probe, payment_id=49)
    fake.event_fault("drop")
    fake.complete(c["session_ref"])
    assert sink.take() == []
    # Never delivered: retrieve tells the truth; Stripe's retry is still read.
    r = probe("retrieve", payment_id=49, key="k", session_ref=c["session_ref"], payment_ref="")
    assert r["state"] == "SUCCEEDED"
    lost = [e for e in fake.events() if json.loads(e["body"])["data"]["object"].get(
        "metadata", {}).get("cobro_payment") == "49"]
    assert len(lost) == 2 and all(e["deliveries"] == [] for e in lost)
    fake.deliver(lost[0]["id"])
    [(body, header)] = sink.take()
    assert read(probe, body, header)["payment_id"] == 49


def test_two_webhook_secrets_while_rotating(fake, tmp_path, sink):
    a_dir, b_dir = tmp_path / "both", tmp_path / "old"
    a_dir.mkdir()
    b_dir.mkdir()
    both = StripeProbe(fake, str(a_dir), secrets=["whsec_old_one", SECRET], env=PROBE_ENV)
    old_only = StripeProbe(fake, str(b_dir), secrets=["whsec_old_one"], env=PROBE_ENV)
    try:
        s = checkout(both)
        fake.complete(s["session_ref"])
        got = sink.take()
        assert len(got) == 2
        for body, header in got:
            assert read(both, body, header)["result"] == "OK"
            assert read(old_only, body, header)["result"] == "ERROR"
    finally:
        errs = both.close() + old_only.close()
    assert not any(m in errs for m in harness.SANITIZER_MARKS), errs


def test_saving_a_card_then_charging_it(fake, probe, sink):
    a = probe("create_setup", payment_id=12, key="cobro-setup-12", amount=0, currency="USD",
              description="", email="ap@acme.example", customer="", lang="es",
              success_url="http://127.0.0.1:1/portal/payment-method?saved=1",
              cancel_url="http://127.0.0.1:1/portal/payment-method",
              expires_at=EXPIRES)
    assert a["result"] == "OK", a
    assert a["customer_ref"].startswith("cus_")
    [cus] = posts(fake, "/v1/customers")
    assert cus["idempotency_key"] == "cobro-setup-12-customer"
    [req] = posts(fake, "/v1/checkout/sessions")
    p = req["params"]
    assert (p["mode"], p["customer"], p["currency"], p["metadata[cobro_setup]"],
            p["setup_intent_data[metadata][cobro_setup]"]) == (
        "setup", a["customer_ref"], "usd", "12", "12")
    fake.complete(a["session_ref"], "5555555555554444", name="Ana Pérez")
    got = sink.take()
    assert len(got) == 2
    for body, header in got:
        e = read(probe, body, header)
        assert e["result"] == "OK" and e["kind"] == "SETUP_SUCCEEDED", e
        assert e["payment_id"] == 12  # our set-up's id
        card = e["card"]
        assert card["customer_ref"] == a["customer_ref"]
        assert card["method_ref"].startswith("pm_")
        assert (card["brand"], card["last4"], card["exp_month"], card["exp_year"],
                card["holder_name"]) == ("mastercard", "4444", 12, 2034, "Ana Pérez")
    # The set-up made again (a retry) finds the same customer.
    again = probe("create_setup", payment_id=12, key="cobro-setup-12", amount=0, currency="USD",
                  description="", email="ap@acme.example", customer="", lang="es",
                  success_url="http://127.0.0.1:1/portal/payment-method?saved=1",
                  cancel_url="http://127.0.0.1:1/portal/payment-method",
                  expires_at=EXPIRES)
    assert again["result"] == "OK"
    assert (again["customer_ref"], again["session_ref"]) == (a["customer_ref"], a["session_ref"])
    assert len(posts(fake, "/v1/customers")) == 2
    assert len([o for o in fake.objects().values() if o["object"] == "customer"]) == 1
    c = probe("charge_saved", payment_id=100, key="cobro-payment-100", amount=3000,
              currency="USD", description="Invoice", customer=card["customer_ref"],
              method=card["method_ref"])
    assert c["result"] == "OK" and c["state"] == "SUCCEEDED"
    assert (c["brand"], c["last4"]) == ("mastercard", "4444")
