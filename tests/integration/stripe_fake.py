"""The fake Stripe API (tests/fakes/stripe_fake.py) for integration tests: start it, drive its
control API, catch the events it sends, and run the Stripe driver through build/stripe_probe.

    from stripe_fake import StripeFake, WebhookSink, StripeProbe, stripe_fake  # the fixture

`stripe_fake` is a module-scoped pytest fixture: a running fake with KEY and SECRET, reset
before each test by `fake.reset()` when a test wants a clean slate. cobro itself is pointed at
it with --payments stripe --stripe-api-url fake.url --stripe-key-file / --stripe-webhook-
secret-file (write_key_files) and the fake at cobro's event route with fake.set_webhook(url)."""
import json
import os
import subprocess
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import harness

FAKE = os.path.join(harness.REPO, "tests", "fakes", "stripe_fake.py")
KEY = "sk_test_cobro_fake_51Hx"
SECRET = "whsec_cobro_fake_test"


class StripeFake:
    def __init__(self, key=KEY, webhook_secret=SECRET, webhook_url=""):
        self.key = key
        self.webhook_secret = webhook_secret
        self.webhook_url = webhook_url
        self.proc = None
        self.url = None

    def start(self):
        self.proc = subprocess.Popen(
            [sys.executable, FAKE, "--key", self.key, "--webhook-secret", self.webhook_secret,
             "--webhook-url", self.webhook_url, "--now", harness.now_iso()],
            stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError("the Stripe fake did not start: %r" % line)
        self.url = "http://127.0.0.1:%d" % int(line.split()[1])
        return self

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc.stdout.close()
            self.proc = None

    def control(self, path, body=None, method=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data,
                                     method=method or ("POST" if data is not None else "GET"),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read())

    def complete(self, session_ref, card="4242424242424242", name=None):
        return self.control("/_fake/checkout/%s/complete" % session_ref,
                            {"card": card, "name": name})

    def expire(self, session_ref):
        return self.control("/_fake/checkout/%s/expire" % session_ref, {})

    def fault(self, path, kind, count=1, method=None, sleep=3):
        """kind: timeout, reset, 500, 400 (the fake's docstring)."""
        return self.control("/_fake/faults", {"path": path, "kind": kind, "count": count,
                                              "method": method, "sleep": sleep})

    def event_fault(self, kind, count=1):
        """kind: drop, duplicate, reorder, bad_signature, old_timestamp."""
        return self.control("/_fake/event_faults", {"kind": kind, "count": count})

    def deliver(self, event_id):
        return self.control("/_fake/deliver", {"id": event_id})

    def set_webhook(self, url):
        return self.control("/_fake/webhook", {"url": url})

    def reset(self):
        return self.control("/_fake/reset", {})

    def events(self):
        return self.control("/_fake/events")

    def requests(self):
        return self.control("/_fake/requests")

    def objects(self):
        return self.control("/_fake/objects")

    def write_key_files(self, folder, secrets=None):
        """The key file and the webhook secret file (one line a secret) cobro reads."""
        key_file = os.path.join(folder, "stripe.key")
        secret_file = os.path.join(folder, "stripe-webhook.secret")
        with open(key_file, "w") as f:
            f.write(self.key + "\n")
        with open(secret_file, "w") as f:
            f.write("".join(s + "\n" for s in (secrets or [self.webhook_secret])))
        os.chmod(key_file, 0o600)
        os.chmod(secret_file, 0o600)
        return key_file, secret_file


class WebhookSink:
    """Catches the events the fake posts: [(body bytes, Stripe-Signature)], answering 200."""

    def __init__(self):
        self.received = []
        self.lock = threading.Condition()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with sink.lock:
                    sink.received.append((body, self.headers.get("Stripe-Signature")))
                    sink.lock.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d/events" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self):
        with self.lock:
            got, self.received = self.received, []
        return got

    def take_at_least(self, n, limit=30):
        """The events received once there are n: those an API call sends follow its answer,
        as Stripe's do (a control call's come before its answer: take() suffices)."""
        with self.lock:
            self.lock.wait_for(lambda: len(self.received) >= n, timeout=limit)
            got, self.received = self.received, []
        return got

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class StripeProbe:
    """build/stripe_probe (tests/stripe_probe.c): the C driver, one JSON request a line."""

    def __init__(self, fake, folder, secrets=None, key=None, env=None):
        key_file, secret_file = fake.write_key_files(folder, secrets)
        if key is not None:
            with open(key_file, "w") as f:
                f.write(key + "\n")
        binary = os.path.join(os.path.dirname(harness.cobro_bin()), "stripe_probe")
        self.proc = subprocess.Popen(
            [binary, "--stripe-api-url", fake.url, "--key-file", key_file,
             "--secret-file", secret_file],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=dict(os.environ, **(env or {})))

    def __call__(self, op, **args):
        self.proc.stdin.write(json.dumps(dict(args, op=op)) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("stripe_probe ended: " + self.proc.stderr.read())
        return json.loads(line)

    def close(self):
        """Ends the probe; returns its standard error (a sanitizer's report, if any)."""
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        err = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return err


@pytest.fixture(scope="module")
def stripe_fake():
    fake = StripeFake().start()
    yield fake
    fake.stop()
