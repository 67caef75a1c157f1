# Shared by bench/portal and bench/portal-instructions: a database whose Acme Corporation has
# 22 invoices, a server on a free loopback port, a signed-in session, and the page it serves.
# Expects bin, dir; sets count, port, base, pid, session, rows, size; SERVE_PREFIX runs the
# server under another program (valgrind).

# A loopback port nobody listens on (asked of the kernel, not guessed).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_for() { # URL
  for _ in $(seq 600); do curl -fs -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "bench: nothing answers at $1" >&2
  exit 1
}

# One fixed clock (COBRO_NOW) for the demo, the bill runs and the server: the same data and the
# same page on whatever day the bench runs.
export COBRO_NOW=${COBRO_NOW:-2026-11-15T12:00:00Z}
"$bin" demo --db "$dir/b.db" >/dev/null 2>&1
# Twenty annual subscriptions (corporate accounts renew annually), the i-th falling due i months
# after a start 20 months before COBRO_NOW; a bill run each month then makes 20 more invoices.
start=$(date -u -d "${COBRO_NOW:0:7}-01 -20 months" +%Y-%m-%d)
sqlite3 "$dir/b.db" "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 20)
  INSERT INTO subscriptions (account_id, plan_id, currency, unit_amount, seats, status,
  period_start, period_end, anchor_day, created_at)
  SELECT a.id, p.id, 'USD', 13600, 3, 'active', date('$start', (i.n - 12) || ' months'),
  date('$start', i.n || ' months'), 1, 0 FROM i, accounts a, plans p
  WHERE a.name = 'Acme Corporation' AND p.code = 'gotomeeting-annual';"
for i in $(seq 1 20); do
  "$bin" bill-run --db "$dir/b.db" --at "$(date -u -d "$start +$i month" +%Y-%m-%d)" >/dev/null 2>&1
done
# The emails those bill runs queued count as sent, and the server runs no bill run of its own:
# rendering invoice PDFs for the mailer in the background would be measured with the page.
sqlite3 "$dir/b.db" "UPDATE email_outbox SET sent_at = created_at WHERE sent_at IS NULL"
count=$(sqlite3 "$dir/b.db" "SELECT COUNT(*) FROM invoices i JOIN accounts a ON a.id = i.account_id WHERE a.name = 'Acme Corporation'")

port=$(free_port)
base=http://127.0.0.1:$port
${SERVE_PREFIX:-} "$bin" serve --db "$dir/b.db" --listen 127.0.0.1:$port --mail-dir "$dir/mail" --no-access-log \
  --no-bill-run 2>"$dir/log" &
pid=$!
wait_for "$base/healthz"
jar=$dir/cookies
csrf=$(curl -s -c "$jar" -b "$jar" "$base/corporate" | grep -o 'name="csrf" value="[^"]*"' | cut -d'"' -f4)
curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" \
  --data-urlencode "user_id=acme-billing" --data-urlencode "password=demo-password" "$base/corporate/sign-in"
session=$(awk '$6 == "cobro_session" {print $7}' "$jar")
mkdir -p "$dir/www"
curl -s -o "$dir/www/invoices.html" -H "Cookie: cobro_session=$session" "$base/corporate/invoices"
rows=$({ grep -o '<tr><th scope="row"' "$dir/www/invoices.html" || true; } | wc -l)
size=$(stat -c %s "$dir/www/invoices.html")

