// Invoice lines of kind 'change' (issue 13: a change made during a period, charged for the rest
// of it less a credit for what the period had already been charged) on the invoice page: the
// Billing Center's in English on a desktop and on a phone, the Corporate Billing Portal's in
// Italian; each line says what happened and for which dates, its charge, and under it the credit.
// Screenshots and axe on each. The invoices are written into the database as the change service
// issues them (SQLite: the browser suite's store), with the figures of
// tests/integration/test_invoice_change_lines.py.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  newPage,
  checkPage,
  navigate,
  signInAs,
  screenshot,
  horizontalOverflow,
  assertInViewport,
  startServerAndBrowser,
  stopServerAndBrowser,
  norm,
  testNow,
} from './harness.mjs';

const OWNER = 'owner@initech.example';
const GLOBEX = 'ap@globex.example';
const EN = 'INV-2026-900001';
const IT = 'INV-2026-900002';

let server;
let browser;
before(async () => ({ server, browser } = await startServerAndBrowser('change-lines')));
after(() => stopServerAndBrowser(server, browser));

const onSqlite = () => !process.env.COBRO_TEST_PG;

// An invoice copied from the account's latest one (its Bill To, language, tax), with lines.
function invoiceSql(account, number, seq, subtotal, tax, lines) {
  const t = Math.floor(testNow().getTime() / 1000);
  const values = lines.map((l, i) => `((SELECT max(id) FROM invoices), ${i + 1}, ${l.sub},
    '${l.product}', '${l.period}', '2026-11-16', '${l.end}', ${l.seats}, ${l.unit}, ${l.net},
    (SELECT tax_rate_ppm FROM invoice_lines WHERE invoice_id = (SELECT max(id) FROM invoices
      WHERE account_id = (SELECT id FROM accounts WHERE name = '${account}') AND number <> '${number}')),
    ${l.tax}, ${l.net + l.tax}, ${l.days}, ${l.term}, 'change', ${l.fromSeats}, '${l.fromPeriod}',
    ${l.credit})`).join(',\n');
  return `
INSERT INTO invoices (account_id, number, series, seq, issue_date, due_date, currency, lang, status,
  tax_mode, account_kind, bill_to_name, address_line1, address_line2, city, region, postal_code,
  country, phone, contact_name, contact_email, portal_user_id, po_number, payment_method, subtotal,
  tax_total, total, amount_paid, created_at)
  SELECT account_id, '${number}', 'INV-2026', ${seq}, '2026-11-16', '2026-11-16', currency, lang,
  'open', tax_mode, account_kind, bill_to_name, address_line1, address_line2, city, region,
  postal_code, country, phone, contact_name, contact_email, portal_user_id, '', payment_method,
  ${subtotal}, ${tax}, ${subtotal + tax}, 0, ${t} FROM invoices WHERE id = (SELECT max(id)
  FROM invoices WHERE account_id = (SELECT id FROM accounts WHERE name = '${account}'));
INSERT INTO invoice_lines (invoice_id, position, subscription_id, product_name, billing_period,
  period_start, period_end, seats, unit_amount, net, tax_rate_ppm, tax, gross, days, term_days,
  kind, from_seats, from_period, credit) VALUES ${values};
`;
}

function seed() {
  const t = Math.floor(testNow().getTime() / 1000);
  const initech = "(SELECT id FROM accounts WHERE name = 'Initech')";
  const meeting = `(SELECT s.id FROM subscriptions s JOIN plans p ON p.id = s.plan_id
    WHERE s.account_id = ${initech} AND p.code = 'gotomeeting-monthly')`;
  const globexSub = `(SELECT min(id) FROM subscriptions WHERE account_id =
    (SELECT id FROM accounts WHERE name = 'Globex Italia S.p.A.'))`;
  const sql = `
.timeout 10000
BEGIN;
INSERT INTO subscriptions (account_id, plan_id, currency, unit_amount, seats, status, period_start,
  period_end, anchor_day, created_at) SELECT ${initech}, id, 'USD', 2990, 4, 'active', '2026-11-16',
  '2026-12-01', 1, ${t} FROM plans WHERE code = 'rescueassist-monthly';
${invoiceSql('Initech', EN, 900001, 8080, 505, [
    // 5 -> 8 seats, 15 of 30 days: $56.00 less $35.00; RescueAssist added: $59.80 (6.25%).
    { sub: meeting, product: 'GoToMeeting', period: 'monthly', end: '2026-12-01', seats: 8,
      unit: 1400, net: 2100, tax: 131, days: 15, term: 30, fromSeats: 5, fromPeriod: 'monthly',
      credit: 3500 },
    { sub: '(SELECT max(id) FROM subscriptions)', product: 'RescueAssist', period: 'monthly',
      end: '2026-12-01', seats: 4, unit: 2990, net: 5980, tax: 374, days: 15, term: 30,
      fromSeats: 0, fromPeriod: '', credit: 0 },
  ])}
${invoiceSql('Globex Italia S.p.A.', IT, 900002, 10170, 2237, [
    // 10 -> 12 seats, 29 of 365 days: 610,19 € less 508,49 € (22%).
    { sub: globexSub, product: 'GoToAssist Remote Support v5', period: 'annual', end: '2026-12-15',
      seats: 12, unit: 64000, net: 10170, tax: 2237, days: 29, term: 365, fromSeats: 10,
      fromPeriod: 'annual', credit: 50849 },
  ])}
COMMIT;
`;
  execFileSync('sqlite3', [path.join(server.dir, 't.db')], { input: sql, timeout: 30000 });
}

// The lines table's body rows as text, cells joined by |.
async function lineRows(page) {
  const rows = page.locator('table.lines tbody tr');
  const out = [];
  for (let i = 0; i < await rows.count(); i++) {
    const cells = await rows.nth(i).locator('td, th').allInnerTexts();
    out.push(cells.map((c) => norm(c).trim()).join('|'));
  }
  return out;
}

test('Billing Center: an invoice of changes says what happened and for which dates', { skip: !onSqlite() && 'seeds SQLite' }, async () => {
  seed();
  const page = await newPage(browser, server);
  await signInAs(page, 'billing', OWNER);
  await navigate(page, () => page.goto(`${server.base}/billing/invoices/${EN}`));
  await checkPage(page, 'change-lines-en', { lang: 'en' });
  assert.deepEqual(await lineRows(page), [
    'GoToMeeting, 5 → 8 seats, Nov 16, 2026 – Nov 30, 2026 (monthly)|8|$14.00|$56.00',
    'Less unused time already charged|-$35.00',
    'RescueAssist, new, 4 seats, Nov 16, 2026 – Nov 30, 2026 (monthly)|4|$29.90|$59.80',
  ]);
  // The credit reads as part of its line: no rule between them, its words indented.
  const credit = page.locator('table.lines tr.credit td.less');
  const [border, indent, description] = await Promise.all([
    credit.evaluate((td) => getComputedStyle(td).borderTopStyle),
    credit.evaluate((td) => td.getBoundingClientRect().left + parseFloat(getComputedStyle(td).paddingLeft)),
    page.locator('table.lines tr.change td').first().evaluate((td) =>
      td.getBoundingClientRect().left + parseFloat(getComputedStyle(td).paddingLeft)),
  ]);
  assert.equal(border, 'none');
  assert.ok(indent > description + 8, `the credit is indented (${indent} vs ${description})`);
  const foot = norm(await page.locator('table.lines tfoot').innerText());
  assert.match(foot, /Subtotal\s+\$80\.80/);
  assert.match(foot, /Total\s+\$85\.85/);
  await page.close();
});

test('phone (390x844): the change lines and their credit fit the width', { skip: !onSqlite() && 'seeds SQLite' }, async () => {
  const page = await newPage(browser, server, { phone: true });
  try {
    await signInAs(page, 'billing', OWNER);
    await navigate(page, () => page.goto(`/billing/invoices/${EN}`));
    await screenshot(page, 'change-lines-phone');
    assert.deepEqual(await horizontalOverflow(page), { extra: 0, elements: [] });
    await checkPage(page, 'change-lines-phone', { lang: 'en' });
    const rows = page.locator('table.lines tbody tr');
    for (let i = 0; i < await rows.count(); i++) {
      const amount = rows.nth(i).locator('td').last();
      await assertInViewport(page, amount, `row ${i + 1}: the amount`);
      assert.match(norm(await amount.innerText()), /^-?\$\d+\.\d\d$/);
    }
    // Each cell labelled with its column on the phone but the credit's words, which say what
    // the row is.
    const labels = await rows.nth(1).locator('td').evaluateAll((tds) =>
      tds.map((td) => getComputedStyle(td, '::before').content));
    assert.deepEqual(labels, ['none', '"Amount"']);
    const first = await rows.nth(0).locator('td').evaluateAll((tds) =>
      tds.map((td) => getComputedStyle(td, '::before').content));
    assert.deepEqual(first, ['"Product"', '"Seats"', '"Unit price"', '"Amount"']);
  } finally {
    await page.context().close();
  }
});

test('Corporate Billing Portal in Italian: a change of seats and its credit', { skip: !onSqlite() && 'seeds SQLite' }, async () => {
  const page = await newPage(browser, server);
  await signInAs(page, 'corporate', GLOBEX, { lang: 'it' });
  await navigate(page, () => page.goto(`${server.base}/corporate/invoices/${IT}`));
  await checkPage(page, 'change-lines-it', { lang: 'it' });
  assert.deepEqual(await lineRows(page), [
    'GoToAssist Remote Support v5, 10 → 12 postazioni, 16 nov 2026 – 14 dic 2026 (annuale)|12|640,00 €|610,19 €',
    'Meno il periodo non utilizzato già addebitato|-508,49 €',
  ]);
  assert.match(norm(await page.locator('table.lines tfoot').innerText()), /Subtotale\s+101,70 €/);
  await page.close();
});
