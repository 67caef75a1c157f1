#!/usr/bin/env python3
"""A fake of Stripe's API for cobro's tests (docs/stripe.md), on loopback, standard library only.

    python3 tests/fakes/stripe_fake.py --key sk_test_x --webhook-secret whsec_x \
        [--webhook-url URL] [--now 2026-11-16T10:00:00Z] [--port-file F]

Prints "PORT <n>" on stdout once listening (and writes the port to --port-file). Its clock is
--now (COBRO_NOW's forms), running on from start, so nothing depends on the day the tests run.

Stripe's endpoints (form-encoded bodies, `Authorization: Bearer <--key>` required; every POST needs
an Idempotency-Key: the same key and parameters replay the first answer, the same key with other
parameters is refused with 400 idempotency_error, as Stripe does):
  POST /v1/customers                      email, metadata[...]
  POST /v1/checkout/sessions              mode payment|setup, line_items, customer(_email),
                                          metadata, payment_intent_data / setup_intent_data
                                          [metadata], client_reference_id, success_url, ...
  GET  /v1/checkout/sessions/{cs}         expand[]=payment_intent(.latest_charge)
  POST /v1/payment_intents                confirm=true off_session=true customer payment_method
                                          amount currency metadata: charged at once (saved card)
  GET  /v1/payment_intents/{pi}           expand[]=latest_charge
  GET  /v1/payment_intents/search         query=metadata['cobro_payment']:'<id>'
  GET  /v1/setup_intents/{seti}           expand[]=payment_method
  GET  /v1/payment_methods/{pm}
  POST /v1/refunds                        payment_intent amount metadata
Test cards (a session completed with one, or a saved card whose number it is; Stripe's own test
payment methods pm_card_visa, pm_card_chargeDeclined, pm_card_chargeDeclinedInsufficientFunds
work too): 4242424242424242 succeeds (visa), 5555555555554444 succeeds (mastercard),
4000000000000002 is declined (card_declined / generic_decline), 4000000000009995 has
insufficient_funds.

The control API (JSON bodies and answers; no key needed):
  POST /_fake/checkout/<cs>/complete  {"card": "4242424242424242", "name": "Ana"}
        pays (or saves, in setup mode) on the session's page. Success: the session completes and
        its events go out (payment: checkout.session.completed, payment_intent.succeeded; setup:
        checkout.session.completed, setup_intent.succeeded). A declined card leaves the session
        open and sends payment_intent.payment_failed. Answers {"session", "events"}.
  POST /_fake/checkout/<cs>/expire    the page expires: checkout.session.expired.
  POST /_fake/faults  {"path": "/v1/checkout/sessions", "method": "POST", "kind": K, "count": 1,
                       "sleep": 3}
        the next `count` requests whose path starts with `path` (and method, when given):
          timeout  carried out, then the answer waits `sleep` seconds (beyond the client's
                   time-out) before it is sent
          reset    carried out, then the connection is reset (RST) without an answer
          500      not carried out: HTTP 500 api_error
          400      not carried out: HTTP 400 invalid_request_error
  POST /_fake/event_faults  {"kind": K, "count": 1}  the next `count` event deliveries:
          drop       never delivered (still listed by GET /_fake/events)
          duplicate  delivered twice
          reorder    the events of one action are delivered last first
          bad_signature  signed with another secret
          old_timestamp  signed (and stamped) 10 minutes in the past
  POST /_fake/deliver  {"id": "evt_..."}   delivers a kept event again (as Stripe's retries do)
  GET  /_fake/events      every event made: [{"id", "type", "body", "header", "deliveries"}]
  GET  /_fake/requests    every API request: [{"method", "path", "params", "idempotency_key",
                          "authorization", "stripe_version", "status"}]
  GET  /_fake/objects     every object kept, by id
  POST /_fake/webhook     {"url": ...}  where events go from now on ("" : nowhere)
  POST /_fake/reset       forgets everything (objects, requests, faults, events, keys)
Event deliveries are made before the control call answers, so a test needs no waiting; each
delivery is a POST of the event's JSON with a `Stripe-Signature: t=...,v1=...` header.
"""
import argparse
import copy
import datetime
import hashlib
import hmac
import json
import os
import re
import secrets
import socket
import struct
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_VERSION = "2024-06-20"
CARDS = {
    "4242424242424242": ("visa", None),
    "5555555555554444": ("mastercard", None),
    "4000000000000002": ("visa", "generic_decline"),
    "4000000000009995": ("visa", "insufficient_funds"),
}
TEST_METHODS = {
    "pm_card_visa": "4242424242424242",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
}


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.RLock()
        self.offset = _parse_now(args.now) - time.time() if args.now else 0.0
        self.webhook_url = args.webhook_url or ""
        self.reset()

    def reset(self):
        self.objects = {}
        self.numbers = {}  # a payment method's card number: the fake's own note
        self.idem = {}
        self.requests = []
        self.faults = []
        self.event_faults = []
        self.events = []
        self.counter = 0

    def now(self):
        return int(time.time() + self.offset)

    def new_id(self, prefix):
        self.counter += 1
        return "%s_%s%06d" % (prefix, secrets.token_hex(6), self.counter)


def _parse_now(text):
    if "T" not in text:
        text += "T00:00:00Z"
    text = text.rstrip("Z")
    fmt = "%Y-%m-%dT%H:%M:%S.%f" if "." in text else "%Y-%m-%dT%H:%M:%S"
    t = datetime.datetime.strptime(text, fmt).replace(tzinfo=datetime.timezone.utc)
    return t.timestamp()


def nested(params):
    """Stripe's form keys (a[b][0][c]=v) into dicts; lists stay dicts keyed "0", "1"..."""
    out = {}
    for key, value in params:
        parts = re.findall(r"[^\[\]]+", key)
        node = out
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise ValueError("bad key " + key)
        node[parts[-1]] = value
    return out


def sign(secret, t, body):
    mac = hmac.new(secret.encode(), ("%d." % t).encode() + body, hashlib.sha256).hexdigest()
    return "t=%d,v1=%s" % (t, mac)


class ApiError(Exception):
    def __init__(self, status, type_, message, **more):
        super().__init__(message)
        self.status = status
        self.body = {"error": dict({"type": type_, "message": message}, **more)}


class Fake:
    """Stripe's objects and behaviour; every method runs under state.lock."""

    def __init__(self, state):
        self.s = state
        self.pending = []  # deliveries, made by flush() once the state's lock is let go

    def flush(self):
        """Makes the deliveries decided under the lock, without it: the receiver may call
        the API back (cobro's driver fetches a card's details) while it handles an event."""
        for rec, kind in self.pending:
            self.post_event(rec, kind)
        self.pending = []

    # ---- objects ----
    def put(self, obj):
        self.s.objects[obj["id"]] = obj
        return obj

    def get(self, oid, prefix):
        obj = self.s.objects.get(oid)
        if not obj or not oid.startswith(prefix):
            raise ApiError(404, "invalid_request_error", "No such object: '%s'" % oid,
                           code="resource_missing")
        return obj

    def expand(self, obj, paths):
        obj = copy.deepcopy(obj)
        for path in paths:
            self._expand(obj, path.split("."))
        return obj

    def _expand(self, obj, parts):
        if not parts or not isinstance(obj, dict):
            return
        head, rest = parts[0], parts[1:]
        if head == "data" and isinstance(obj.get("data"), list):
            for item in obj["data"]:
                self._expand(item, rest)
            return
        value = obj.get(head)
        if isinstance(value, str) and value in self.s.objects:
            obj[head] = copy.deepcopy(self.s.objects[value])
        self._expand(obj.get(head), rest)

    # ---- events ----
    def event(self, type_, obj):
        ev = {"id": self.s.new_id("evt"), "object": "event", "api_version": API_VERSION,
              "created": self.s.now(), "livemode": False, "pending_webhooks": 1,
              "request": {"id": None, "idempotency_key": None}, "type": type_,
              "data": {"object": copy.deepcopy(obj)}}
        body = json.dumps(ev).encode()
        rec = {"id": ev["id"], "type": type_, "body": body.decode(),
               "header": sign(self.s.args.webhook_secret, ev["created"], body), "deliveries": []}
        self.s.events.append(rec)
        return rec

    def deliver(self, recs):
        """Delivers one action's events, through the next event fault if any."""
        fault = None
        if self.s.event_faults:
            fault = self.s.event_faults[0]
            fault["count"] -= 1
            if fault["count"] <= 0:
                self.s.event_faults.pop(0)
        kind = fault and fault["kind"]
        if kind == "drop":
            return
        order = list(reversed(recs)) if kind == "reorder" else list(recs)
        for rec in order:
            times = 2 if kind == "duplicate" else 1
            for _ in range(times):
                self.pending.append((rec, kind))

    def post_event(self, rec, kind=None):
        body = rec["body"].encode()
        header = rec["header"]
        if kind == "bad_signature":
            header = sign("whsec_forged", self.s.now(), body)
        elif kind == "old_timestamp":
            header = sign(self.s.args.webhook_secret, self.s.now() - 600, body)
        status = None
        url = self.s.webhook_url
        if url:
            req = urllib.request.Request(url, data=body, method="POST", headers={
                "Content-Type": "application/json; charset=utf-8", "Stripe-Signature": header})
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    status = r.status
            except urllib.error.HTTPError as e:
                status = e.code
            except OSError as e:
                status = str(e)
        with self.s.lock:
            rec["deliveries"].append({"header": header, "status": status})

    # ---- checkout ----
    def create_session(self, p):
        mode = p.get("mode")
        if mode not in ("payment", "setup"):
            raise ApiError(400, "invalid_request_error", "mode: payment or setup")
        for k in ("success_url", "cancel_url"):
            if not p.get(k):
                raise ApiError(400, "invalid_request_error", "Missing required param: " + k,
                               param=k)
        cs = {"id": self.s.new_id("cs_test"), "object": "checkout.session", "mode": mode,
              "status": "open", "payment_status": "unpaid" if mode == "payment" else
              "no_payment_required", "client_reference_id": p.get("client_reference_id"),
              "customer": p.get("customer"), "customer_email": p.get("customer_email"),
              "metadata": p.get("metadata", {}), "locale": p.get("locale"),
              "success_url": p["success_url"], "cancel_url": p["cancel_url"],
              "expires_at": int(p.get("expires_at") or self.s.now() + 86400),
              "payment_intent": None, "setup_intent": None, "currency": p.get("currency"),
              "amount_total": None, "created": self.s.now()}
        if mode == "payment":
            item = p.get("line_items", {}).get("0", {})
            pd = item.get("price_data", {})
            try:
                amount = int(pd.get("unit_amount", "")) * int(item.get("quantity", "1"))
            except ValueError:
                raise ApiError(400, "invalid_request_error", "Invalid integer: unit_amount")
            if amount < 50:
                raise ApiError(400, "invalid_request_error", "amount too small",
                               code="amount_too_small")
            cs["amount_total"] = amount
            cs["currency"] = pd.get("currency")
            cs["line_items"] = [{"description": pd.get("product_data", {}).get("name"),
                                 "amount_total": amount, "currency": pd.get("currency")}]
            cs["payment_intent_data"] = p.get("payment_intent_data", {})
        else:
            if not p.get("customer"):
                raise ApiError(400, "invalid_request_error", "setup needs a customer")
            cs["setup_intent_data"] = p.get("setup_intent_data", {})
        cs["url"] = "https://checkout.stripe.test/c/pay/" + cs["id"]
        return self.put(cs)

    def complete(self, cs_id, card, name):
        cs = self.get(cs_id, "cs_")
        if cs["status"] != "open":
            raise ApiError(400, "invalid_request_error", "session is " + cs["status"])
        if card not in CARDS:
            raise ApiError(400, "invalid_request_error", "not a test card")
        pm = self.make_method(card, name, cs.get("customer"))
        if cs["mode"] == "setup":
            return self._complete_setup(cs, pm)
        pi = self.make_intent(cs["amount_total"], cs["currency"], cs.get("customer"), pm,
                              cs.get("payment_intent_data", {}).get("metadata", {}))
        cs["payment_intent"] = pi["id"]
        events = []
        if pi["status"] == "succeeded":
            cs["status"] = "complete"
            cs["payment_status"] = "paid"
            events.append(self.event("checkout.session.completed", cs))
            events.append(self.event("payment_intent.succeeded", pi))
        else:
            events.append(self.event("payment_intent.payment_failed", pi))
        self.deliver(events)
        return cs, events

    def _complete_setup(self, cs, pm):
        seti = self.put({"id": self.s.new_id("seti"), "object": "setup_intent",
                         "status": "succeeded", "customer": cs["customer"],
                         "payment_method": pm["id"], "usage": "off_session",
                         "metadata": cs.get("setup_intent_data", {}).get("metadata", {})})
        cs["setup_intent"] = seti["id"]
        cs["status"] = "complete"
        events = [self.event("checkout.session.completed", cs),
                  self.event("setup_intent.succeeded", seti)]
        self.deliver(events)
        return cs, events

    def expire(self, cs_id):
        cs = self.get(cs_id, "cs_")
        if cs["status"] != "open":
            raise ApiError(400, "invalid_request_error", "session is " + cs["status"])
        cs["status"] = "expired"
        events = [self.event("checkout.session.expired", cs)]
        self.deliver(events)
        return cs, events

    # ---- cards and intents ----
    def make_method(self, card, name, customer):
        brand, _ = CARDS[card]
        pm_id = self.s.new_id("pm")
        self.s.numbers[pm_id] = card
        return self.put({"id": pm_id, "object": "payment_method", "type": "card",
                         "customer": customer,
                         "billing_details": {"name": name or None},
                         "card": {"brand": brand, "last4": card[-4:], "exp_month": 12,
                                  "exp_year": 2034, "funding": "credit"}})

    def make_intent(self, amount, currency, customer, pm, metadata):
        brand, decline = CARDS[self.s.numbers[pm["id"]]]
        pi = {"id": self.s.new_id("pi"), "object": "payment_intent", "amount": amount,
              "amount_received": 0, "currency": currency, "customer": customer,
              "payment_method": pm["id"], "metadata": metadata, "created": self.s.now(),
              "last_payment_error": None, "latest_charge": None}
        ch = {"id": self.s.new_id("ch"), "object": "charge", "amount": amount,
              "currency": currency, "payment_intent": pi["id"], "paid": decline is None,
              "status": "succeeded" if decline is None else "failed",
              "payment_method_details": {"type": "card", "card": {
                  "brand": brand, "last4": pm["card"]["last4"]}}}
        self.put(ch)
        pi["latest_charge"] = ch["id"]
        if decline is None:
            pi["status"] = "succeeded"
            pi["amount_received"] = amount
        else:
            pi["status"] = "requires_payment_method"
            pi["last_payment_error"] = {"type": "card_error", "code": "card_declined",
                                        "decline_code": decline, "message":
                                        "Your card was declined.", "charge": ch["id"]}
        return self.put(pi)

    def method_for(self, ref):
        if ref in TEST_METHODS:
            return self.make_method(TEST_METHODS[ref], None, None)
        return self.get(ref, "pm_")

    def charge_saved(self, p):
        if p.get("confirm") != "true" or p.get("off_session") != "true":
            raise ApiError(400, "invalid_request_error", "confirm and off_session expected")
        try:
            amount = int(p.get("amount", ""))
        except ValueError:
            raise ApiError(400, "invalid_request_error", "Invalid integer: amount",
                           param="amount")
        if not p.get("customer"):
            raise ApiError(400, "invalid_request_error", "customer required")
        pm = self.method_for(p.get("payment_method", ""))
        pi = self.make_intent(amount, p.get("currency"), p["customer"], pm,
                              p.get("metadata", {}))
        if pi["status"] == "succeeded":
            self.deliver([self.event("payment_intent.succeeded", pi)])
            return self.expand(pi, expand_list(p))
        self.deliver([self.event("payment_intent.payment_failed", pi)])
        err = dict(pi["last_payment_error"])
        raise ApiError(402, "card_error", err["message"], code=err["code"],
                       decline_code=err["decline_code"], payment_intent=copy.deepcopy(pi))

    def search(self, query):
        m = re.fullmatch(r"metadata\['cobro_payment'\]:'(\d+)'", query or "")
        if not m:
            raise ApiError(400, "invalid_request_error", "unsupported query")
        return [o for o in self.s.objects.values() if o.get("object") == "payment_intent"
                and o.get("metadata", {}).get("cobro_payment") == m.group(1)]

    def refund(self, p):
        pi = self.get(p.get("payment_intent", ""), "pi_")
        amount = int(p.get("amount") or pi["amount_received"])
        done = sum(o["amount"] for o in self.s.objects.values()
                   if o.get("object") == "refund" and o["payment_intent"] == pi["id"]
                   and o["status"] != "failed")
        if pi["status"] != "succeeded" or amount <= 0 or done + amount > pi["amount_received"]:
            raise ApiError(400, "invalid_request_error", "refund exceeds the charge",
                           code="charge_already_refunded")
        re_ = self.put({"id": self.s.new_id("re"), "object": "refund", "amount": amount,
                        "currency": pi["currency"], "payment_intent": pi["id"],
                        "status": "succeeded", "metadata": p.get("metadata", {}),
                        "created": self.s.now()})
        self.deliver([self.event("refund.created", re_)])
        return re_


def expand_list(p):
    e = p.get("expand", {})
    return list(e.values()) if isinstance(e, dict) else [e]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "stripe-fake"

    def log_message(self, fmt, *args):
        pass

    # ---- plumbing ----
    def _answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        raw = self._body()
        if url.path.startswith("/_fake/"):
            return self._control(method, url.path, raw)
        self._api(method, url, raw)

    # ---- the API ----
    def _api(self, method, url, raw):
        st = self.server.state
        pairs = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        if method == "POST":
            pairs += urllib.parse.parse_qsl(raw.decode("utf-8", "replace"),
                                            keep_blank_values=True)
        key = self.headers.get("Idempotency-Key")
        rec = {"method": method, "path": url.path, "query": url.query, "params": dict(pairs),
               "idempotency_key": key, "authorization": self.headers.get("Authorization"),
               "stripe_version": self.headers.get("Stripe-Version"), "status": None}
        with st.lock:
            st.requests.append(rec)
            fault = self._take_fault(method, url.path)
        if fault in ("500", "400"):
            rec["status"] = int(fault)
            kind = "api_error" if fault == "500" else "invalid_request_error"
            return self._answer(int(fault), {"error": {"type": kind, "message": "injected"}})
        fake = Fake(st)
        status, obj = self._api_answer(fake, method, url.path, pairs, key)
        rec["status"] = status
        if fault and fault["kind"] == "timeout":
            time.sleep(float(fault.get("sleep", 3)))
            rec["status"] = "timeout"
        if fault and fault["kind"] == "reset":
            rec["status"] = "reset"
            self._reset()
        else:
            self._answer(status, obj)
        fake.flush()  # after the answer, as Stripe's events follow its answers

    def _take_fault(self, method, path):
        st = self.server.state
        for f in st.faults:
            if path.startswith(f["path"]) and f.get("method", method) in (method, None, ""):
                f["count"] -= 1
                if f["count"] <= 0:
                    st.faults.remove(f)
                return f["kind"] if f["kind"] in ("500", "400") else f
        return None

    def _reset(self):
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _api_answer(self, fake, method, path, pairs, key):
        st = self.server.state
        if self.headers.get("Authorization") != "Bearer " + st.args.key:
            return 401, {"error": {"type": "invalid_request_error",
                                   "message": "Invalid API Key provided"}}
        if method == "POST" and not key:
            return 400, {"error": {"type": "invalid_request_error",
                                   "message": "cobro's fake: every POST needs an Idempotency-Key"}}
        fingerprint = json.dumps([method, path, sorted(pairs)])
        with st.lock:
            if method == "POST" and key in st.idem:
                first, status, obj = st.idem[key]
                if first != fingerprint:
                    return 400, {"error": {"type": "idempotency_error", "message":
                                           "Keys for idempotent requests can only be used with "
                                           "the same parameters they were first used with."}}
                return status, obj
            try:
                status, obj = 200, self._route(fake, method, path, nested(pairs))
            except ApiError as e:
                status, obj = e.status, e.body
            except (ValueError, KeyError, TypeError) as e:
                status, obj = 400, {"error": {"type": "invalid_request_error",
                                              "message": "bad request: %s" % e}}
            if method == "POST":
                st.idem[key] = (fingerprint, status, obj)
            return status, obj

    def _route(self, fake, method, path, p):
        exp = expand_list(p)
        parts = path.strip("/").split("/")
        if method == "POST" and path == "/v1/customers":
            return fake.put({"id": fake.s.new_id("cus"), "object": "customer",
                             "email": p.get("email"), "metadata": p.get("metadata", {})})
        if method == "POST" and path == "/v1/checkout/sessions":
            return fake.create_session(p)
        if method == "POST" and path == "/v1/payment_intents":
            return fake.charge_saved(p)
        if method == "POST" and path == "/v1/refunds":
            return fake.refund(p)
        if method == "GET" and path == "/v1/payment_intents/search":
            found = [fake.expand(o, [e[len("data."):] for e in exp if e.startswith("data.")])
                     for o in fake.search(p.get("query"))]
            return {"object": "search_result", "data": found, "has_more": False,
                    "next_page": None, "url": "/v1/payment_intents/search"}
        prefixes = {"checkout/sessions": "cs_", "payment_intents": "pi_",
                    "setup_intents": "seti_", "payment_methods": "pm_", "refunds": "re_",
                    "customers": "cus_"}
        if method == "GET" and len(parts) >= 3 and parts[0] == "v1":
            coll, oid = "/".join(parts[1:-1]), parts[-1]
            if coll in prefixes:
                return fake.expand(fake.get(oid, prefixes[coll]), exp)
        raise ApiError(404, "invalid_request_error", "Unrecognized request URL (%s: %s)"
                       % (method, path))

    # ---- the control API ----
    def _control(self, method, path, raw):
        st = self.server.state
        try:
            arg = json.loads(raw or b"{}")
        except ValueError:
            return self._answer(400, {"error": "JSON expected"})
        fake = Fake(st)
        with st.lock:
            try:
                ans = self._control_answer(fake, method, path, arg)
            except ApiError as e:
                return self._answer(e.status, e.body)
        fake.flush()  # before the answer: a test needs no waiting
        self._answer(200, ans)

    def _control_answer(self, fake, method, path, arg):
        st = fake.s
        m = re.fullmatch(r"/_fake/checkout/([^/]+)/(complete|expire)", path)
        if m and method == "POST":
            if m.group(2) == "complete":
                cs, events = fake.complete(m.group(1), arg.get("card", "4242424242424242"),
                                           arg.get("name"))
            else:
                cs, events = fake.expire(m.group(1))
            return {"session": cs, "events": events}
        if path == "/_fake/faults" and method == "POST":
            st.faults.append({"path": arg["path"], "method": arg.get("method"),
                              "kind": str(arg["kind"]), "count": int(arg.get("count", 1)),
                              "sleep": float(arg.get("sleep", 3))})
            return {"faults": st.faults}
        if path == "/_fake/event_faults" and method == "POST":
            st.event_faults.append({"kind": arg["kind"], "count": int(arg.get("count", 1))})
            return {"event_faults": st.event_faults}
        if path == "/_fake/deliver" and method == "POST":
            rec = next(e for e in st.events if e["id"] == arg["id"])
            fake.pending.append((rec, None))
            return {"id": rec["id"]}
        if path == "/_fake/webhook" and method == "POST":
            st.webhook_url = arg.get("url") or ""
            return {"url": st.webhook_url}
        if path == "/_fake/reset" and method == "POST":
            st.reset()
            return {}
        if path == "/_fake/events":
            return st.events
        if path == "/_fake/requests":
            return st.requests
        if path == "/_fake/objects":
            return st.objects
        raise ApiError(404, "control", "no such control: " + path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--key", required=True)
    ap.add_argument("--webhook-secret", required=True)
    ap.add_argument("--webhook-url", default="")
    ap.add_argument("--now", default="")
    ap.add_argument("--port-file", default="")
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.state = State(args)
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.replace(args.port_file + ".tmp", args.port_file)
    print("PORT %d" % port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
