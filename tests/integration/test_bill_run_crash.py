"""THE crash test of the bill run: `cobro bill-run --at D` killed with SIGKILL at random moments
(a fixed seed), round after round, then run once to the end. Afterwards every due subscription
period is invoiced exactly once, invoice numbers are 1..n without gaps, every invoice has exactly
one queued email per recipient, totals add up (tax once per rate), and every subscription moved exactly once, all
compared with a model computed here from the original data. After every kill the database is
already consistent: each account is either wholly billed (invoice, lines, emails, periods) or
untouched, and `cobro verify` finds no broken row, after each kill and after the rerun. Finally
`cobro serve` delivers the queued invoice emails through the SMTP sink, each exactly once, with
its PDF."""
import calendar
import datetime
import os
import random
import re
import signal
import subprocess
import time

import pytest

from harness import (MAIL_FROM, REPO, Client, clean_env, cobro_bin, connect, copy_database,
                     free_port, new_database, reset_identities, run_cobro, sanitizer_lines,
                     stop_process, with_data_key)

# As scripts/check does: fontconfig's one-time configuration is not a leak of ours (ASan build).
os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(REPO, "tests", "lsan.supp"))

AT = "2026-03-31"
SEED = 20260331
N_ACCOUNTS = 2000          # ten batches of 200 accounts: kills land between and inside them
ROUNDS = 8
SAMPLE_INVOICES = 150      # invoices whose emails go through SMTP (the rest are marked sent)
BASE_URL = "https://billing.vendor.example"
HASH = "not-a-real-hash"

PLANS = {1: ("Widget Pro", "monthly", 1500), 2: ("Widget Pro", "annual", 15000),
         3: ("Gadget Suite", "monthly", 990), 4: ("Gadget Suite", "annual", 9900)}
RATES = {("US", "CA"): 72500, ("US", "NY"): 40000, ("US", "TX"): 62500, ("US", "OR"): 0,
         ("IT", ""): 220000,
         ("FR", ""): 200000, ("DE", ""): 190000, ("DE", "BY"): 70000}
PLACES = [("US", "CA", "en", "USD"), ("US", "NY", "en", "USD"), ("US", "TX", "en", "USD"),
          ("US", "OR", "en", "USD"), ("IT", "MI", "it", "EUR"), ("FR", "", "fr", "EUR"),
          ("DE", "BY", "en", "EUR"), ("DE", "HE", "en", "EUR"), ("ES", "", "es", "EUR"),
          ("JP", "", "en", "JPY")]


# ---- the model -------------------------------------------------------------------------------

def add_months(day, months, anchor):
    idx = day.year * 12 + day.month - 1 + months
    y, m0 = divmod(idx, 12)
    return datetime.date(y, m0 + 1, min(anchor, calendar.monthrange(y, m0 + 1)[1]))


def round_ppm(amount, rate_ppm):
    return (2 * amount * rate_ppm + 1000000) // 2000000


def rate_of(country, region):
    if (country, region) in RATES:
        return RATES[(country, region)]
    return RATES.get((country, ""), 0)


def generate(rng):
    """Accounts, recipients, purchase orders and subscriptions, as plain Python data."""
    at = datetime.date.fromisoformat(AT)
    accounts, subs = [], []
    for aid in range(1, N_ACCOUNTS + 1):
        country, region, lang, currency = PLACES[rng.randrange(len(PLACES))]
        kind = "corporate" if rng.random() < 0.4 else "online"
        contact = ("Contact %d" % aid, "contact%d@acct%d.example" % (aid, aid))
        recipients = []
        if rng.random() < 0.35:
            for k in range(rng.randint(1, 3)):
                recipients.append(("Payables %d-%d" % (aid, k), "ap%d@acct%d.example" % (k, aid)))
            if rng.random() < 0.3:       # the contact again, in upper case: no second email
                recipients.append(("Contact again", contact[1].upper()))
            if rng.random() < 0.3:       # a recipient twice, in other case: one email
                recipients.append(("Twice", recipients[0][1].replace("ap", "AP", 1)))
        pos = []
        if rng.random() < 0.25:
            pos.append(("PO-OLD-%d" % aid, "2025-01-01", "2026-03-30"))
            pos.append(("PO-%d" % aid, "2026-03-31", "2026-12-31"))
        accounts.append(dict(id=aid, kind=kind, country=country, region=region, lang=lang,
                             currency=currency, contact=contact, recipients=recipients, pos=pos))
        # Corporate accounts renew annually (the database refuses them anything else).
        plans = [p for p in PLANS if kind != "corporate" or PLANS[p][1] == "annual"]
        for _ in range(rng.randint(1, 7)):
            plan = rng.choice(plans)
            annual = PLANS[plan][1] == "annual"
            anchor = rng.choice([1, 5, 15, 28, 29, 30, 31, rng.randint(1, 31)])
            # The current period ends between five months before the run date and two after.
            end = add_months(at, rng.randint(-5, 2), anchor)
            start = add_months(end, -12 if annual else -1, anchor)
            r = rng.random()
            flags = dict(cancel=int(r < 0.05), auto_renew=int(not 0.05 <= r < 0.10),
                         status="active" if r < 0.97 else rng.choice(["cancelled", "expired"]))
            subs.append(dict(id=len(subs) + 1, account=aid, plan=plan, seats=rng.randint(1, 120),
                             unit=PLANS[plan][2], anchor=anchor, start=start.isoformat(),
                             end=end.isoformat(), **flags))
    return accounts, subs


def expected(accounts, subs):
    """What a complete bill run at AT must leave: lines per account, final subscription rows."""
    at = datetime.date.fromisoformat(AT)
    by_id = {a["id"]: a for a in accounts}
    lines, final = {}, {}
    for s in subs:
        final[s["id"]] = (s["status"], s["start"], s["end"])
        if s["status"] != "active" or s["end"] > AT:
            continue
        if s["cancel"] or not s["auto_renew"]:
            final[s["id"]] = ("cancelled" if s["cancel"] else "expired", s["start"], s["end"])
            continue
        a = by_id[s["account"]]
        rate = rate_of(a["country"], a["region"])
        months = 12 if PLANS[s["plan"]][1] == "annual" else 1
        start = datetime.date.fromisoformat(s["end"])
        while True:
            end = add_months(start, months, s["anchor"])
            net = s["seats"] * s["unit"]
            tax = round_ppm(net, rate)
            lines.setdefault(a["id"], []).append(
                (s["id"], start.isoformat(), end.isoformat(), net, rate, tax, net + tax))
            if end > at:
                break
            start = end
        final[s["id"]] = ("active", lines[a["id"]][-1][1], lines[a["id"]][-1][2])
    return lines, final


def recipients_of(a):
    """The addresses an account's invoice goes to: the billing contact, then each recipient whose
    address (ignoring case) is new."""
    seen, out = set(), []
    for _, addr in [a["contact"]] + a["recipients"]:
        if addr.lower() not in seen:
            seen.add(addr.lower())
            out.append(addr.lower())
    return sorted(out)


def populate(db, accounts, subs):
    con = connect(db)
    con.execute("BEGIN")
    for pid, (name, period, _) in PLANS.items():
        prod = con.execute("SELECT id FROM products WHERE name = ?", (name,)).fetchone()
        prod = prod[0] if prod else con.execute(
            "INSERT INTO products (code, name) VALUES (?, ?) RETURNING id",
            (name.lower().replace(" ", "-"), name)).fetchone()[0]
        con.execute("INSERT INTO plans (id, product_id, code, billing_period) VALUES (?, ?, ?, ?)",
                    (pid, prod, "p%d" % pid, period))
    con.executemany("INSERT INTO tax_rates (country, region, rate_ppm) VALUES (?, ?, ?)",
                    [(c, r, p) for (c, r), p in RATES.items()])
    con.execute("INSERT INTO vendor_settings (key, value) VALUES ('vendor_name', 'Vendor, Inc.')"
                " ON CONFLICT (key) DO NOTHING")
    for a in accounts:
        con.execute("INSERT INTO accounts (id, kind, name, currency, lang, bill_to_name,"
                    " address_line1, city, region, postal_code, country, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, '1 Crash Road', 'Crashville', ?, '99999', ?, 0)",
                    (a["id"], a["kind"], "Account %d" % a["id"], a["currency"], a["lang"],
                     "Account %d" % a["id"], a["region"], a["country"]))
        if a["kind"] == "corporate":
            con.execute("INSERT INTO portal_credentials (account_id, user_id, contact_name,"
                        " contact_email, password_hash, password_changed_at, created_at)"
                        " VALUES (?, ?, ?, ?, ?, 0, 0)",
                        (a["id"], "acct%d-billing" % a["id"], a["contact"][0], a["contact"][1],
                         HASH))
        else:
            con.execute("INSERT INTO account_users (account_id, email, name, role, password_hash,"
                        " created_at) VALUES (?, ?, ?, 'billing_admin', ?, 0)",
                        (a["id"], a["contact"][1], a["contact"][0], HASH))
        con.executemany("INSERT INTO invoice_recipients (account_id, name, email, created_at)"
                        " VALUES (?, ?, ?, 0)", [(a["id"], n, e) for n, e in a["recipients"]])
        con.executemany("INSERT INTO purchase_orders (account_id, number, start_date, end_date,"
                        " created_at) VALUES (?, ?, ?, ?, 0)", [(a["id"],) + p for p in a["pos"]])
    con.executemany(
        "INSERT INTO subscriptions (id, account_id, plan_id, currency, unit_amount, seats, status,"
        " period_start, period_end, anchor_day, auto_renew, cancel_at_period_end, created_at)"
        " VALUES (?, ?, ?, 'USD', ?, ?, ?, ?, ?, ?, ?, ?, 0)",
        [(s["id"], s["account"], s["plan"], s["unit"], s["seats"], s["status"], s["start"],
          s["end"], s["anchor"], s["auto_renew"], s["cancel"]) for s in subs])
    con.execute("COMMIT")
    con.close()
    reset_identities(db)


# ---- reading the database back ---------------------------------------------------------------

class State:
    def __init__(self, db):
        con = connect(db)
        try:
            self.invoices = {r[0]: r for r in con.execute(
                "SELECT id, account_id, number, series, seq, subtotal, tax_total, total,"
                " issue_date, due_date, account_kind, po_number FROM invoices")}
            self.lines = {}
            for r in con.execute("SELECT invoice_id, subscription_id, period_start, period_end,"
                                 " net, tax_rate_ppm, tax, gross FROM invoice_lines"
                                 " ORDER BY invoice_id, position"):
                self.lines.setdefault(r[0], []).append(tuple(r[1:]))
            self.outbox = {}
            for r in con.execute("SELECT invoice_id, lower(to_addr) FROM email_outbox"
                                 " WHERE kind = 'invoice'"):
                self.outbox.setdefault(r[0], []).append(r[1])
            self.orphan_emails = con.execute(
                "SELECT count(*) FROM email_outbox WHERE kind = 'invoice' AND (invoice_id IS NULL"
                " OR invoice_id NOT IN (SELECT id FROM invoices))").fetchone()[0]
            self.subs = {r[0]: tuple(r[1:]) for r in con.execute(
                "SELECT id, status, period_start, period_end FROM subscriptions")}
            self.series = dict(con.execute("SELECT series, last_number FROM invoice_series"))
        finally:
            con.close()

    def by_account(self):
        out = {}
        for inv in self.invoices.values():
            out.setdefault(inv[1], []).append(inv)
        return out


def check_consistent(state, accounts, subs, lines, final, complete):
    """Every invoice whole; every account billed wholly or not at all; numbering gapless. With
    complete, also that every due account was billed."""
    by_account = state.by_account()
    sub_of = {}
    for s in subs:
        sub_of.setdefault(s["account"], []).append(s)
    problems = []
    for a in accounts:
        invs = by_account.get(a["id"], [])
        want = lines.get(a["id"])
        if len(invs) > 1:
            problems.append("account %d has %d invoices" % (a["id"], len(invs)))
            continue
        if want is None and invs:
            problems.append("account %d has an invoice but nothing was due" % a["id"])
            continue
        billed = bool(invs)
        if want is not None and not billed and complete:
            problems.append("account %d was never billed" % a["id"])
        if billed:
            inv = invs[0]
            got = state.lines.get(inv[0], [])
            if sorted(got) != sorted(want):
                problems.append("account %d: lines %r, expected %r" % (a["id"], got, want))
            # One rate per account; the tax is rounded once on the sum at that rate (BR-CO-17).
            net = sum(l[3] for l in want)
            if (inv[5], inv[6]) != (net, round_ppm(net, want[0][4])) or inv[5] + inv[6] != inv[7]:
                problems.append("account %d: totals %r" % (a["id"], inv[5:8]))
            if sorted(state.outbox.get(inv[0], [])) != recipients_of(a):
                problems.append("account %d: emails to %r, expected %r"
                                % (a["id"], sorted(state.outbox.get(inv[0], [])),
                                   recipients_of(a)))
            want_due = "2026-04-30" if a["kind"] == "corporate" else AT
            if (inv[8], inv[9]) != (AT, want_due):
                problems.append("account %d: dates %r" % (a["id"], inv[8:10]))
            want_po = "PO-%d" % a["id"] if a["pos"] else ""
            if inv[11] != want_po:
                problems.append("account %d: PO %r, expected %r" % (a["id"], inv[11], want_po))
        for s in sub_of.get(a["id"], []):
            original = (s["status"], s["start"], s["end"])
            now = state.subs[s["id"]]
            # Renewals move with the invoice; subscriptions that only end may sit in a batch
            # of accounts that has or has not committed yet.
            if want is not None and now != (final[s["id"]] if billed else original):
                problems.append("subscription %d: %r (billed=%s), expected %r"
                                % (s["id"], now, billed, final[s["id"]] if billed else original))
            elif want is None and now not in (original, final[s["id"]]):
                problems.append("subscription %d: %r" % (s["id"], now))
            elif complete and now != final[s["id"]]:
                problems.append("subscription %d: %r, expected %r" % (s["id"], now, final[s["id"]]))
    seqs = sorted(inv[4] for inv in state.invoices.values())
    if seqs != list(range(1, len(seqs) + 1)):
        problems.append("invoice numbers are not 1..%d: %r" % (len(seqs), seqs[:50]))
    for inv in state.invoices.values():
        if inv[3] != "INV-2026" or inv[2] != "INV-2026-%06d" % inv[4]:
            problems.append("invoice %d numbered %s in %s" % (inv[0], inv[2], inv[3]))
    if state.invoices and state.series.get("INV-2026") != len(seqs):
        problems.append("invoice_series says %r for %d invoices" % (state.series, len(seqs)))
    if state.orphan_emails:
        problems.append("%d invoice emails without their invoice" % state.orphan_emails)
    return problems


def due_accounts(db):
    con = connect(db)
    try:
        return con.execute("SELECT count(DISTINCT account_id) FROM subscriptions WHERE"
                           " status = 'active' AND period_end <= ?", (AT,)).fetchone()[0]
    finally:
        con.close()


def bill_run_args(db):
    return [cobro_bin()] + with_data_key(["bill-run", "--at", AT, "--db", db, "--base-url",
                                          BASE_URL])


def timed_run(db, at=AT):
    t = time.monotonic()
    p = subprocess.run([cobro_bin()] + with_data_key(["bill-run", "--at", at, "--db", db]),
                       env=clean_env(),
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return time.monotonic() - t


# ---- the test --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def crashed(tmp_path_factory):
    """The database after ROUNDS killed runs and one complete run, with the model."""
    workdir = tmp_path_factory.mktemp("crash")
    db = new_database(workdir, "crash.db")
    p = run_cobro(["migrate", "--db", db], cwd=str(workdir))
    assert p.returncode == 0, p.stderr
    rng = random.Random(SEED)
    accounts, subs = generate(rng)
    populate(db, accounts, subs)
    lines, final = expected(accounts, subs)
    assert len(lines) > 0.8 * N_ACCOUNTS and len(subs) > 6000

    # How long a complete run and a run with nothing to do take here (with this binary, on this
    # machine, now): the kills are spread over the real duration of each round's remaining work.
    fulls = []
    for _ in range(3):
        probe = copy_database(db, workdir, "probe.db")  # with its data key
        fulls.append(timed_run(probe))
    t_idle = min(timed_run(probe, "2000-01-01") for _ in range(3))
    t_full = sorted(fulls)[1]

    total_due = due_accounts(db)
    # Where each kill lands, as a fraction of that round's remaining work: at start-up, early,
    # in the middle, near the end (and once possibly just after it).
    targets = [rng.uniform(0.0, 0.05), rng.uniform(0.1, 0.25), rng.uniform(0.2, 0.4),
               rng.uniform(0.1, 0.3), rng.uniform(0.3, 0.5), rng.uniform(0.05, 0.2),
               rng.uniform(0.85, 1.0), rng.uniform(0.2, 0.5)]
    assert len(targets) == ROUNDS
    rounds = []
    for i, frac in enumerate(targets):
        left = due_accounts(db)
        work = (t_full - t_idle) * left / total_due
        delay = t_idle * (0.3 if frac < 0.05 else 1.0) + work * frac if left else rng.uniform(
            0, t_idle)
        before = len(State(db).invoices)
        proc = subprocess.Popen(bill_run_args(db), env=clean_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)      # it may still finish first: rc tells
        _, err = proc.communicate(timeout=60)
        assert not sanitizer_lines(err.decode(errors="replace")), err[-3000:]
        state = State(db)
        rounds.append(dict(round=i, delay_ms=round(delay * 1000, 1),
                           killed=proc.returncode == -signal.SIGKILL,
                           rc=proc.returncode, due_before=left, invoices_before=before,
                           invoices_after=len(state.invoices)))
        problems = check_consistent(state, accounts, subs, lines, final, complete=False)
        assert not problems, "after kill round %r:\n%s" % (rounds[-1], "\n".join(problems[:20]))
        # cobro verify's own rules agree: every round leaves a database without a broken row.
        v = run_cobro(["verify", "--db", db], cwd=str(workdir))
        assert v.returncode == 0, "after kill round %r:\n%s%s" % (rounds[-1], v.stdout[-3000:],
                                                                   v.stderr[-3000:])

    final_run = subprocess.run(bill_run_args(db), env=clean_env(), capture_output=True, text=True,
                               timeout=120)
    assert final_run.returncode == 0, final_run.stderr
    assert not sanitizer_lines(final_run.stderr), final_run.stderr[-3000:]
    print("\ncrash rounds (t_idle %.0f ms, t_full %.0f ms):" % (t_idle * 1000, t_full * 1000))
    for r in rounds:
        print("  ", r)
    return dict(dir=workdir, db=db, accounts=accounts, subs=subs, lines=lines, final=final,
                rounds=rounds, final_run=final_run)


def test_01_kills_landed_before_during_and_after_work(crashed):
    rounds = crashed["rounds"]
    killed = [r for r in rounds if r["killed"]]
    assert killed, rounds
    assert all(r["rc"] == 0 for r in rounds if not r["killed"]), rounds
    # At least one kill interrupted a run that had committed part of its work.
    mid = [r for r in killed if r["invoices_before"] < r["invoices_after"] and r["due_before"] > 0
           and r["invoices_after"] < r["invoices_before"] + r["due_before"]]
    assert mid, "no kill landed in the middle of a run: %r" % rounds
    # And work was left for the final run, or a round before it finished it.
    assert crashed["final_run"].stdout.startswith("bill run %s: " % AT), crashed["final_run"].stdout


def test_02_every_due_period_invoiced_exactly_once(crashed):
    state = State(crashed["db"])
    got = {}
    for inv_id, ls in state.lines.items():
        for sub_id, start, end, *_ in ls:
            got[(sub_id, start)] = got.get((sub_id, start), 0) + 1
    want = {(l[0], l[1]) for ls in crashed["lines"].values() for l in ls}
    assert {k for k, n in got.items() if n > 1} == set()
    assert set(got) - want == set(), "periods invoiced that were not due"
    assert want - set(got) == set(), "due periods never invoiced"
    assert len(state.invoices) == len(crashed["lines"])


def test_03_numbers_gapless_and_state_complete(crashed):
    state = State(crashed["db"])
    problems = check_consistent(state, crashed["accounts"], crashed["subs"], crashed["lines"],
                                crashed["final"], complete=True)
    assert not problems, "\n".join(problems[:30])
    assert state.series == {"INV-2026": len(state.invoices)}
    numbers = [inv[2] for inv in state.invoices.values()]
    assert len(set(numbers)) == len(numbers)


def test_04_one_email_per_recipient_of_every_invoice(crashed):
    state = State(crashed["db"])
    by_account = state.by_account()
    total = 0
    for a in crashed["accounts"]:
        for inv in by_account.get(a["id"], []):
            assert sorted(state.outbox.get(inv[0], [])) == recipients_of(a), a["id"]
            total += len(recipients_of(a))
    assert sum(len(v) for v in state.outbox.values()) == total
    assert state.orphan_emails == 0


def test_05_sums_of_lines_are_the_totals(crashed):
    state = State(crashed["db"])
    for inv_id, inv in state.invoices.items():
        ls = state.lines[inv_id]
        # (subscription, start, end, net, rate, tax, gross)
        assert all(l[3] + l[5] == l[6] for l in ls), inv
        # Every line of an account has its rate; the invoice's tax is that rate applied once to
        # the sum of the lines (BR-CO-17), not the sum of the lines' rounded taxes.
        assert len({l[4] for l in ls}) == 1, inv
        assert inv[5] == sum(l[3] for l in ls) and inv[6] == round_ppm(inv[5], ls[0][4])
        assert inv[7] == inv[5] + inv[6]


def test_06_subscriptions_advanced_exactly_once(crashed):
    state = State(crashed["db"])
    for s in crashed["subs"]:
        assert state.subs[s["id"]] == crashed["final"][s["id"]], s
    p = run_cobro(["bill-run", "--at", AT, "--db", crashed["db"]], cwd=str(crashed["dir"]))
    assert p.returncode == 0 and " 0 invoices (0 lines) for 0 accounts" in p.stdout, p.stdout
    assert State(crashed["db"]).subs == state.subs


def test_06b_cobro_verify_is_clean_after_the_crashes_and_the_rerun(crashed):
    p = run_cobro(["verify", "--db", crashed["db"]], cwd=str(crashed["dir"]))
    assert not sanitizer_lines(p.stderr), p.stderr[-3000:]
    assert p.returncode == 0, (p.stdout[-3000:], p.stderr[-3000:])
    assert p.stdout.endswith(" checks, no problems\n"), p.stdout


def test_07_the_mailer_delivers_each_invoice_email_once_with_its_pdf(crashed, smtp_sink):
    db = crashed["db"]
    con = connect(db)
    try:
        ids = [r[0] for r in con.execute("SELECT id FROM invoices ORDER BY id")]
        sample = set(random.Random(SEED).sample(ids, min(SAMPLE_INVOICES, len(ids))))
        # Sending every invoice's email would take minutes under ASan: the others count as sent.
        con.execute("UPDATE email_outbox SET sent_at = 1 WHERE kind = 'invoice' AND invoice_id"
                    " NOT IN (%s)" % ",".join(str(i) for i in sample))
        rows = con.execute("SELECT e.id, e.to_addr, i.number FROM email_outbox e JOIN invoices i"
                           " ON i.id = e.invoice_id WHERE e.sent_at IS NULL").fetchall()
    finally:
        con.close()
    assert len(rows) >= len(sample)
    want = {r[0]: (r[1], r[2]) for r in rows}

    port = free_port()
    base = "http://127.0.0.1:%d" % port
    mark = smtp_sink.mark()
    err_path = os.path.join(str(crashed["dir"]), "serve.log")
    with open(err_path, "wb") as err:
        proc = subprocess.Popen([cobro_bin()] + with_data_key(
                                    ["serve", "--db", db, "--listen", "127.0.0.1:%d" % port,
                                     "--base-url", base, "--smtp-url",
                                     "smtp://127.0.0.1:%d" % smtp_sink.port, "--mail-from",
                                     MAIL_FROM, "--threads", "2", "--no-access-log",
                                     "--no-bill-run"]),
                                cwd=str(crashed["dir"]), env=clean_env(), stdout=err, stderr=err)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if Client(base).get("/healthz", timeout=2).status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        ours = re.compile(r"<outbox-(\d+)\.")

        def outbox_id(m):
            found = ours.search(str(m["msg"]["Message-ID"] or ""))
            return int(found.group(1)) if found and int(found.group(1)) in want else None

        smtp_sink.wait_for(lambda m: outbox_id(m) is not None, since=mark, timeout=45,
                           count=len(want))
        time.sleep(2.5)          # room for a duplicate to show up
    finally:
        stop_process(proc)
    with open(err_path, "rb") as f:
        log = f.read().decode(errors="replace")
    assert not sanitizer_lines(log), log[-3000:]
    assert proc.returncode == 0, log[-3000:]

    seen = {}
    for m in smtp_sink.since(mark):
        oid = outbox_id(m)
        if oid is not None:
            seen.setdefault(oid, []).append(m)
    assert set(seen) == set(want), "missing: %r" % sorted(set(want) - set(seen))[:20]
    doubled = {k: len(v) for k, v in seen.items() if len(v) > 1}
    assert not doubled, "delivered more than once: %r" % doubled
    for oid, [m] in seen.items():
        to_addr, number = want[oid]
        msg = m["msg"]
        assert [r.lower() for r in m["rcpt_tos"]] == [to_addr.lower()]
        assert number in str(msg["Subject"])
        pdfs = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
        assert len(pdfs) == 1, (oid, [p.get_content_type() for p in msg.iter_attachments()])
        assert pdfs[0].get_filename() == number + ".pdf"
        assert pdfs[0].get_content().startswith(b"%PDF-")
    con = connect(db)
    try:
        unsent = con.execute("SELECT count(*) FROM email_outbox WHERE sent_at IS NULL").fetchone()[0]
        invoices_after = con.execute("SELECT count(*) FROM invoices").fetchone()[0]
    finally:
        con.close()
    assert unsent == 0
    # --no-bill-run: the server did not bill today's renewals on its own.
    assert invoices_after == len(crashed["lines"])
