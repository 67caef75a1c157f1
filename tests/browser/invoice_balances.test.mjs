// Invoice balances (issue 12): the Corporate Billing Portal's Invoice History with its "Balance
// due" column, the state in words ("Overdue" marked by more than colour), "Pay now" on every
// invoice with a balance when a payment gateway is on, all reachable by keyboard; the invoice
// page's "Payments received". Payments are written into the database as the payment service
// writes them (SQLite: the browser suite's store).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  newPage,
  checkPage,
  navigate,
  signInAs,
  invoiceRows,
  startServerAndBrowser,
  stopServerAndBrowser,
  mainText,
  testNow,
} from './harness.mjs';

const ACME = 'acme-billing';
const PARTLY = 'INV-2025-000001'; // Acme's, due 2025-12-31: partly paid here, overdue
const PAID = 'INV-2024-000001'; // Acme's, paid in full here

let server;
let browser;
before(async () => ({ server, browser } = await startServerAndBrowser('balances')));
after(() => stopServerAndBrowser(server, browser));

const onSqlite = () => !process.env.COBRO_TEST_PG;

function seed() {
  const t = Math.floor(testNow().getTime() / 1000) - 86400;
  const sql = `
.timeout 10000
BEGIN;
INSERT INTO payments (account_id, invoice_id, method, source, gateway, amount, currency, state,
  session_ref, payment_ref, card_brand, card_last4, created_at, updated_at, settled_at)
  SELECT account_id, id, 'card', 'checkout', 'sandbox', 1000000, currency, 'succeeded',
  'cs_test_b1', 'pi_test_b1', 'visa', '4242', ${t}, ${t}, ${t} FROM invoices WHERE number = '${PARTLY}';
INSERT INTO payment_allocations (account_id, payment_id, invoice_id, kind, amount, currency, created_at)
  SELECT account_id, (SELECT max(id) FROM payments), id, 'payment', 1000000, currency, ${t}
  FROM invoices WHERE number = '${PARTLY}';
UPDATE invoices SET amount_paid = 1000000, status = 'partially_paid' WHERE number = '${PARTLY}';
INSERT INTO payments (account_id, invoice_id, method, source, amount, currency, state,
  received_date, reference, created_at, updated_at, settled_at)
  SELECT account_id, id, 'wire', 'offline', total, currency, 'succeeded', '2026-11-10', 'WIRE-9',
  ${t}, ${t}, ${t} FROM invoices WHERE number = '${PAID}';
INSERT INTO payment_allocations (account_id, payment_id, invoice_id, kind, amount, currency, created_at)
  SELECT account_id, (SELECT max(id) FROM payments), id, 'payment', total, currency, ${t}
  FROM invoices WHERE number = '${PAID}';
UPDATE invoices SET amount_paid = total, status = 'paid' WHERE number = '${PAID}';
COMMIT;
`;
  execFileSync('sqlite3', [path.join(server.dir, 't.db')], { input: sql, timeout: 30000 });
}

test('Invoice History: balance due, state and Pay now, by keyboard', { skip: !onSqlite() && 'seeds SQLite' }, async () => {
  seed();
  const page = await newPage(browser, server);
  await signInAs(page, 'corporate', ACME);
  await navigate(page, () => page.goto(`${server.base}/corporate/invoices`));
  await checkPage(page, 'balances-history', { lang: 'en' });

  const heads = await page.locator('table.invoices thead th').allInnerTexts();
  assert.ok(heads.map((h) => h.trim()).includes('Balance due'), `headers: ${heads}`);
  const rows = await invoiceRows(page);
  const partly = rows.find((r) => r.number === PARTLY);
  const paid = rows.find((r) => r.number === PAID);
  assert.ok(partly && paid, rows.map((r) => r.number).join(' '));
  // Total 32,076.88, 10,000.00 paid: 22,076.88 due, and past due.
  assert.match(partly.cells[4], /\$22,076\.88/);
  assert.equal(partly.cells[5], 'Overdue');
  assert.equal(await page.locator(`tr:has(a[href="/corporate/invoices/${PARTLY}"]) strong.overdue`).count(), 1,
    'overdue is marked in weight and words, not by colour alone');
  assert.match(paid.cells[4], /\$0\.00/);
  assert.equal(paid.cells[5], 'Paid');

  // "Pay now" shows on a balance only when the server takes payments (a gateway is on).
  const gateway = (await page.request.get(`${server.base}/corporate/invoices/${PARTLY}/pay`)).status() !== 404;
  const payLinks = page.locator('table.invoices a[href$="/pay"]');
  if (!gateway) {
    assert.equal(await payLinks.count(), 0, 'no gateway: no Pay now');
  } else {
    const partlyPay = page.locator(`a[href="/corporate/invoices/${PARTLY}/pay"]`);
    assert.equal(await partlyPay.count(), 1);
    assert.equal(await page.locator(`a[href="/corporate/invoices/${PAID}/pay"]`).count(), 0);
    assert.match(await partlyPay.innerText(), /^Pay now/);
  }

  // Every link of the table is reached with Tab, in order: number, (Pay now,) PDF.
  const want = [`/corporate/invoices/${PARTLY}`];
  if (gateway) want.push(`/corporate/invoices/${PARTLY}/pay`);
  want.push(`/corporate/invoices/${PARTLY}/pdf`);
  await page.locator('h1').click();
  const seen = [];
  for (let i = 0; i < 80 && seen.length < 400; i++) {
    await page.keyboard.press('Tab');
    const href = await page.evaluate(() => document.activeElement?.getAttribute('href'));
    if (href) seen.push(href);
    if (href === want[want.length - 1]) break;
  }
  const at = seen.indexOf(want[0]);
  assert.ok(at >= 0, `Tab reaches ${want[0]}: ${seen.join(' ')}`);
  assert.deepEqual(seen.slice(at, at + want.length), want, 'the row\'s links in order by Tab');
  await page.close();
});

test('The invoice page lists the payments received', { skip: !onSqlite() && 'seeds SQLite' }, async () => {
  const page = await newPage(browser, server);
  await signInAs(page, 'corporate', ACME);
  await navigate(page, () => page.goto(`${server.base}/corporate/invoices/${PARTLY}`));
  await checkPage(page, 'balances-invoice', { lang: 'en' });
  const received = page.locator('section.received');
  assert.equal(await received.count(), 1);
  const text = (await received.innerText()).replace(/[\u00a0\u202f]/g, ' ');
  assert.match(text, /Payments received/);
  assert.match(text, /Visa ending in 4242/);
  assert.match(text, /\$10,000\.00/);
  assert.match(await mainText(page), /Balance due\s+\$22,076\.88/);
  await page.close();
});

test('The account pages show the total outstanding and the overdue part', { skip: !onSqlite() && 'seeds SQLite' }, async () => {
  const page = await newPage(browser, server);
  await signInAs(page, 'corporate', ACME);
  await navigate(page, () => page.goto(`${server.base}/corporate/account`));
  await checkPage(page, 'balances-account', { lang: 'en' });
  const card = page.locator('section[aria-labelledby="balances"]');
  const text = (await card.innerText()).replace(/[\u00a0\u202f]/g, ' ');
  assert.match(text, /Total outstanding\s+\$22,076\.88/);
  assert.match(text, /Overdue\s+\$22,076\.88/);
  assert.doesNotMatch(text, /Account credit/);
  await page.close();

  const staff = await newPage(browser, server);
  await signInAs(staff, 'staff', 'cas@vendor.example');
  await navigate(staff, () => staff.goto(`${server.base}/staff/accounts`));
  await navigate(staff, () => staff.getByRole('link', { name: 'Acme Corporation' }).first().click());
  await checkPage(staff, 'balances-staff-account', { lang: 'en' });
  const payments = (await staff.locator('section[aria-labelledby="payments"]').innerText()).replace(/[\u00a0\u202f]/g, ' ');
  assert.match(payments, /Visa ending in 4242/);
  assert.match(payments, /pi_test_b1/);
  assert.match(payments, /Wire transfer, ref\. WIRE-9/);
  await staff.close();
});
