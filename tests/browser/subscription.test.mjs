// Billing Center "Subscription" (issue 13): the billing administrator of Initech makes every
// change from the page, by keyboard where it matters, each previewed to the cent and then
// confirmed: more seats (charged now: the prorated line, the credit, tax, total; the invoice in
// Recent changes and the Invoice History), fewer seats (at the renewal, nothing charged), monthly
// to annual and back, a new product, a seat-limit error keeping what was typed, a declined card
// (the decline in words and "Replace the card"), cancel with a reason and keep, reactivate an
// expired subscription; in Italian the seats, the seat limit and a cancel;
// Customer Care acts for the account from the staff console; on a phone the tables stack. axe, one
// h1 and a screenshot on every page. Nothing depends on the date: amounts are checked against
// each other and against the confirmation form, never against a calendar.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  newPage,
  checkPage,
  navigate,
  tr,
  signInAs,
  startServerAndBrowser,
  stopServerAndBrowser,
  pathOf,
  norm,
  mainText,
  invoiceRows,
  runSql,
  testNow,
  checkStackedTable,
  assertInViewport,
} from './harness.mjs';

const ADMIN = 'owner@initech.example';
const CARE = 'care@vendor.example';
const BASE = '/billing/subscription';
const MEETING = 'GoToMeeting';
const RESCUE = 'RescueAssist';
const ASSIST = 'GoToAssist Remote Support v5';
const INITECH = "(SELECT id FROM accounts WHERE name = 'Initech')";

let server;
let browser;
before(async () => ({ server, browser } = await startServerAndBrowser('subscription')));
after(() => stopServerAndBrowser(server, browser));

// A catalog string with its %s / %lld filled in order.
function fmt(s, ...args) {
  let i = 0;
  return s.replace(/%(?:lld|s)/g, () => String(args[i++]));
}

// Minor units of US dollars as the English pages write them: "$1,234.56".
const usd = (minor) => `$${(minor / 100).toFixed(2).replace(/\B(?=(\d{3})+\.)/g, ',')}`;

// An amount as the page writes it ("$1,234.56", "-$12.00", "1.234,56 €") in minor units.
function minor(text) {
  const t = norm(text).trim();
  const neg = /^[-\u2212]|[-\u2212]\s*[$€]/.test(t) || t.includes('-');
  const digits = t.replace(/[^0-9]/g, '');
  assert.ok(digits.length > 0, `an amount: "${text}"`);
  return (neg ? -1 : 1) * parseInt(digits, 10);
}

// The rows of the Subscription page's product table: { product, cells: {header: text} }.
async function productRows(page) {
  return page.locator('main table.stack').first().evaluate((t) => {
    const heads = Array.from(t.querySelectorAll('thead th')).map((h) => h.textContent.trim());
    return Array.from(t.querySelectorAll('tbody tr')).map((tr) => {
      const cells = {};
      Array.from(tr.children).forEach((c, i) => {
        cells[heads[i]] = c.innerText.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();
      });
      return { product: tr.children[0].textContent.trim(), cells };
    });
  });
}
async function rowOf(page, L, product) {
  const rows = await productRows(page);
  const row = rows.find((r) => r.product === product);
  assert.ok(row, `a row for ${product}: ${rows.map((r) => r.product)}`);
  return row.cells;
}

// The Recent changes table's rows, as text of each cell after the first (the day of the change,
// checked to be there: the tests' clock makes it the same for every row).
async function changeRows(page) {
  const rows = await page.locator('section[aria-labelledby="changes"] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.children).map((c) =>
      c.innerText.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim())));
  for (const r of rows) assert.match(r[0], /\d/, `each change has its date: ${JSON.stringify(r)}`);
  return rows.map((r) => r.slice(1));
}

// Goes to the Subscription page by its tab.
async function subscriptionTab(page, L) {
  const resp = await navigate(page, () =>
    page.locator('nav.tabs').getByRole('link', { name: L('Subscription'), exact: true }).click());
  assert.equal(resp.status(), 200);
  assert.equal(pathOf(page), BASE);
}

// Follows a row's action link ("Change seats (GoToMeeting)") by keyboard: focus, Enter.
async function openAction(page, L, action, product) {
  const link = page.getByRole('link', { name: `${L(action)} (${product})`, exact: true });
  assert.equal(await link.count(), 1, `one link "${L(action)} (${product})"`);
  await link.focus();
  const resp = await navigate(page, () => page.keyboard.press('Enter'));
  assert.equal(resp.status(), 200, `${action} (${product})`);
  assert.equal(pathOf(page), `${BASE}/change`);
  return resp;
}

// Types the seats into the field and sends the form with Enter.
async function typeSeats(page, L, seats) {
  const field = page.getByLabel(L('Seats'), { exact: true });
  await field.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(String(seats));
  return navigate(page, () => page.keyboard.press('Enter'));
}

// The preview's "Charged now" table: the line, the credit, subtotal, tax and total in minor
// units, after checking that they add up and that the amounts are right-aligned.
async function chargedNow(page, L) {
  const section = page.locator('section[aria-labelledby="due"]');
  assert.equal(await section.locator('h2').innerText(), L('Charged now'));
  const body = await section.locator('tbody tr').evaluateAll((trs) => trs.map((tr) =>
    Array.from(tr.children).map((c) => c.textContent.replace(/[\u00a0\u202f]/g, ' ').trim())));
  const foot = await section.locator('tfoot tr').evaluateAll((trs) => trs.map((tr) =>
    Array.from(tr.children).map((c) => c.textContent.replace(/[\u00a0\u202f]/g, ' ').trim())));
  assert.deepEqual(foot.map((r) => r[0]), [L('Subtotal'), L('Tax'), L('Total charged now')]);
  const aligns = await section.locator('td.num').evaluateAll((tds) =>
    tds.map((td) => getComputedStyle(td).textAlign));
  assert.ok(aligns.length >= 4 && aligns.every((a) => a === 'right' || a === 'end'),
    `amounts right-aligned: ${aligns}`);
  const line = body[0];
  const credit = body.find((r) => r[0] === L('Less the unused part of what this period was charged'));
  const [subtotal, tax, total] = foot.map((r) => minor(r[1]));
  const sum = body.reduce((s, r) => s + minor(r[1]), 0);
  assert.equal(sum, subtotal, `the lines add up to the subtotal: ${JSON.stringify(body)}`);
  assert.equal(subtotal + tax, total, 'subtotal and tax make the total');
  assert.ok(tax > 0, 'Initech (Texas) pays tax');
  // The amount charged is the one the confirmation form carries and the button names.
  const expected = await page.locator('input[name=expected_total]').inputValue();
  assert.equal(Number(expected), total);
  return { line: line[0], lineAmount: minor(line[1]), credit: credit ? minor(credit[1]) : 0, tax, total };
}

// Presses the preview's confirmation button by keyboard; the page lands back on the Subscription
// page with ?done=ID.
async function confirmChange(page, L, label) {
  const button = page.getByRole('button', { name: label, exact: true });
  assert.equal(await button.count(), 1, `a button "${label}"`);
  await button.focus();
  const resp = await navigate(page, () => page.keyboard.press('Enter'));
  assert.equal(resp.status(), 200);
  assert.equal(pathOf(page), BASE);
  assert.match(new URL(page.url()).search, /^\?done=\d+$/);
  return norm(await page.locator('main .notice.info').innerText());
}

// The seats of a product as the page says them.
async function seatsOf(page, L, product) {
  return Number((await rowOf(page, L, product))[L('Seats')]);
}

describe('the billing administrator (en)', () => {
  const L = (s) => tr('en', s);
  const shot = (name) => `subscription-en-${name}`;
  let page;
  before(async () => {
    page = await newPage(browser, server);
    await signInAs(page, 'billing', ADMIN);
  });
  after(async () => { await page?.context().close(); });

  test('1. the page lists each product with its renewal and what can be done', async () => {
    await subscriptionTab(page, L);
    await checkPage(page, shot('01-page'), { lang: 'en' });
    assert.equal(await page.locator('h1').innerText(), L('Subscription'));
    const row = await rowOf(page, L, MEETING);
    assert.equal(row[L('Billing frequency')], L('Monthly'));
    assert.equal(row[L('Seats')], '5');
    assert.equal(row[L('Price per seat')], '$14.00');
    assert.equal(row[L('Next renewal amount')], '$70.00');
    assert.equal(row[L('Status')], L('Active'));
    for (const a of ['Change seats', 'Change billing frequency', 'Cancel']) {
      assert.equal(await page.getByRole('link', { name: `${L(a)} (${MEETING})`, exact: true }).count(), 1, a);
    }
    assert.equal(await page.getByRole('link', { name: L('Add a product'), exact: true }).count(), 1);
    const text = await mainText(page);
    assert.ok(text.includes('Visa card ending in 4242'), text);
    assert.equal(await page.getByRole('link', { name: L('Replace the card'), exact: true })
      .getAttribute('href'), '/billing/payment-method');
  });

  let charged;

  test('2. more seats: the preview is prorated with a credit and tax; confirming charges it', async () => {
    await openAction(page, L, 'Change seats', MEETING);
    await checkPage(page, shot('02-seats-form'), { lang: 'en' });
    assert.equal(await page.locator('h1').innerText(), L('Change seats'));
    assert.equal(await page.getByLabel(L('Seats'), { exact: true }).inputValue(), '5');
    let resp = await typeSeats(page, L, 8);
    assert.equal(resp.status(), 200);
    await checkPage(page, shot('03-seats-preview'), { lang: 'en' });
    const c = await chargedNow(page, L);
    const m = /^GoToMeeting, 8 seats × \$14\.00 for (\d+) of (\d+) days, .+ – .+$/.exec(c.line);
    assert.ok(m, `the prorated line: ${c.line}`);
    const [days, term] = [Number(m[1]), Number(m[2])];
    assert.ok(days > 0 && days <= term);
    // 8 seats for the days left, before the credit, and the credit of the 5 seats paid for.
    assert.equal(c.lineAmount, Math.round((8 * 1400 * days) / term));
    assert.equal(c.credit, -Math.round((5 * 1400 * days) / term));
    const text = await mainText(page);
    assert.ok(text.includes(L('From today, 8 seats instead of 5.')), text);
    assert.match(text, /Each renewal: \$\d+\.\d\d \(tax included\), every month; the next one on /);
    const amount = usd(c.total);
    assert.ok(text.includes(`${amount} will be charged to the Visa card ending in 4242.`), text);
    const notice = await confirmChange(page, L, `Confirm and pay ${amount}`);
    await checkPage(page, shot('04-seats-done'), { lang: 'en' });
    const done = /^Done: GoToMeeting: 5 → 8 seats\. Invoice (\S+) was charged to the card on file; it is on its way to you by email\.$/.exec(notice);
    assert.ok(done, notice);
    charged = { number: done[1], total: c.total, amount };
    assert.equal(await seatsOf(page, L, MEETING), 8);
    const rows = await changeRows(page);
    assert.deepEqual(rows[0], ['GoToMeeting: 5 → 8 seats', amount, charged.number, L('Done'),
      L('Billing administrator')]);
    assert.equal(await page.locator('section[aria-labelledby="changes"]')
      .getByRole('link', { name: charged.number, exact: true }).getAttribute('href'),
    `/billing/invoices/${charged.number}`);
    // The invoice is in the Invoice History, paid.
    resp = await navigate(page, () =>
      page.locator('nav.tabs').getByRole('link', { name: L('Invoice History'), exact: true }).click());
    assert.equal(resp.status(), 200);
    await checkPage(page, shot('05-invoice-history'), { lang: 'en' });
    const inv = (await invoiceRows(page)).find((r) => r.number === charged.number);
    assert.ok(inv, `${charged.number} in the Invoice History`);
    assert.ok(inv.cells.some((t) => t.includes(amount)), inv.cells.join(' | '));
  });

  test('3. fewer seats: from the next renewal, nothing charged now', async () => {
    await subscriptionTab(page, L);
    await openAction(page, L, 'Change seats', MEETING);
    const resp = await typeSeats(page, L, 6);
    assert.equal(resp.status(), 200);
    await checkPage(page, shot('06-fewer-preview'), { lang: 'en' });
    assert.equal(await page.locator('section[aria-labelledby="due"]').count(), 0, 'nothing charged now');
    const text = await mainText(page);
    assert.match(text, /From the next renewal, on .+, 6 seats instead of 8\. Until then you keep all 8\./);
    const notice = await confirmChange(page, L, L('Confirm the change'));
    assert.equal(notice, 'Done: GoToMeeting: 8 → 6 seats.');
    await checkPage(page, shot('07-fewer-done'), { lang: 'en' });
    const row = await rowOf(page, L, MEETING);
    assert.equal(row[L('Seats')], '8', 'the 8 seats stay until the renewal');
    assert.match(row[L('Status')], /^Active From .+: 6 seats\.$/);
    assert.equal(row[L('Next renewal amount')], '$84.00');
    assert.deepEqual((await changeRows(page))[0].slice(1, 4), ['\u2014', '\u2014', L('Done')]);
  });

  test('4. cancel with a reason, then keep', async () => {
    await subscriptionTab(page, L);
    await openAction(page, L, 'Cancel', MEETING);
    await checkPage(page, shot('08-cancel-form'), { lang: 'en' });
    await page.getByLabel(L('Why are you cancelling? (optional)'), { exact: true })
      .fill('We are moving to another tool.');
    let resp = await navigate(page, () =>
      page.getByRole('button', { name: L('Review the change'), exact: true }).click());
    assert.equal(resp.status(), 200);
    await checkPage(page, shot('09-cancel-preview'), { lang: 'en' });
    assert.match(await mainText(page), /you keep it until .+ and it does not renew on .+\. You can undo this until then\./);
    assert.match(await mainText(page), /Nothing more is charged: the subscription does not renew\./);
    let notice = await confirmChange(page, L, L('Confirm the change'));
    assert.equal(notice, 'Done: GoToMeeting cancelled.');
    await checkPage(page, shot('10-cancelled'), { lang: 'en' });
    const row = await rowOf(page, L, MEETING);
    assert.match(row[L('Status')], /^Cancelled: ends on .+ Reason given: We are moving to another tool\.$/);
    assert.equal(row[L('Next renewal')], '\u2014');
    await openAction(page, L, 'Keep the subscription', MEETING);
    await checkPage(page, shot('11-keep-preview'), { lang: 'en' });
    assert.match(await mainText(page), /The subscription renews again on /);
    notice = await confirmChange(page, L, L('Confirm the change'));
    assert.equal(notice, 'Done: GoToMeeting kept (cancellation undone).');
    assert.equal((await rowOf(page, L, MEETING))[L('Status')].startsWith(L('Active')), true);
  });

  test('5. reactivate: an ended subscription starts again at today\'s price', async () => {
    // A subscription that expired two months ago, written as the bill run leaves one (a page
    // cannot end one before its time; the clock is the tests').
    const day = (n) => new Date(testNow().getTime() - n * 86400000).toISOString().slice(0, 10);
    const start = day(61);
    runSql(server, `INSERT INTO subscriptions (account_id, plan_id, currency, unit_amount, seats, status,
      period_start, period_end, anchor_day, created_at) SELECT ${INITECH}, p.id, 'USD', 100, 4, 'expired',
      '${start}', '${day(30)}', ${Number(start.slice(8))}, ${Math.floor(testNow().getTime() / 1000)}
      FROM plans p JOIN products pr ON pr.id = p.product_id WHERE pr.name = '${ASSIST}' AND p.billing_period = 'monthly';`);
    await subscriptionTab(page, L);
    await checkPage(page, shot('12-ended'), { lang: 'en' });
    const row = await rowOf(page, L, ASSIST);
    assert.match(row[L('Status')], /^Ended on /);
    assert.equal(row[L('Next renewal amount')], '\u2014');
    await openAction(page, L, 'Reactivate', ASSIST);
    await checkPage(page, shot('13-reactivate-form'), { lang: 'en' });
    await typeSeats(page, L, 2);
    await checkPage(page, shot('14-reactivate-preview'), { lang: 'en' });
    const c = await chargedNow(page, L);
    assert.equal(c.credit, 0, 'a whole period of its own, no credit');
    assert.match(c.line, /^GoToAssist Remote Support v5, 2 seats × \$69\.00, .+ – .+$/);
    assert.equal(c.lineAmount, 2 * 6900, 'the price list\'s price today, not the old one');
    assert.match(await mainText(page), /GoToAssist Remote Support v5 starts again today with 2 seats at the current price\./);
    const notice = await confirmChange(page, L, `Confirm and pay ${usd(c.total)}`);
    assert.match(notice, /^Done: GoToAssist Remote Support v5 reactivated, 2 seats\. Invoice \S+ was charged/);
    await checkPage(page, shot('15-reactivated'), { lang: 'en' });
    const after = await rowOf(page, L, ASSIST);
    assert.equal(after[L('Status')], L('Active'));
    assert.equal(after[L('Seats')], '2');
  });

  test('6. monthly to annual: at once, with a credit for the month', async () => {
    await openAction(page, L, 'Change billing frequency', MEETING);
    await checkPage(page, shot('16-annual-preview'), { lang: 'en' });
    const c = await chargedNow(page, L);
    assert.ok(c.line.startsWith('GoToMeeting, 8 seats × '), c.line);
    assert.ok(c.credit < 0, 'a credit for the unused part of the month');
    assert.match(await mainText(page), /From today, annual billing: a year from /);
    const amount = usd(c.total);
    const notice = await confirmChange(page, L, `Confirm and pay ${amount}`);
    assert.match(notice, /^Done: GoToMeeting: annual billing\. Invoice \S+ was charged/);
    await checkPage(page, shot('17-annual-done'), { lang: 'en' });
    assert.equal((await rowOf(page, L, MEETING))[L('Billing frequency')], L('Annual'));
  });

  test('7. annual to monthly: from the next renewal', async () => {
    await openAction(page, L, 'Change billing frequency', MEETING);
    await checkPage(page, shot('18-monthly-preview'), { lang: 'en' });
    assert.equal(await page.locator('section[aria-labelledby="due"]').count(), 0);
    assert.match(await mainText(page), /From the next renewal, on .+, monthly billing\. Until then the annual period you paid for continues\./);
    const notice = await confirmChange(page, L, L('Confirm the change'));
    assert.equal(notice, 'Done: GoToMeeting: monthly billing.');
    const row = await rowOf(page, L, MEETING);
    assert.equal(row[L('Billing frequency')], L('Annual'));
    assert.match(row[L('Status')], /^Active From .+: monthly billing\.$/);
  });

  test('8. a product is added', async () => {
    const resp = await navigate(page, () =>
      page.getByRole('link', { name: L('Add a product'), exact: true }).click());
    assert.equal(resp.status(), 200);
    await checkPage(page, shot('19-add-form'), { lang: 'en' });
    await page.getByLabel(L('Product'), { exact: true }).selectOption({ label: RESCUE });
    await page.getByLabel(L('Monthly'), { exact: true }).check();
    await typeSeats(page, L, 3);
    await checkPage(page, shot('20-add-preview'), { lang: 'en' });
    const c = await chargedNow(page, L);
    assert.ok(c.line.startsWith('RescueAssist, 3 seats × '), c.line);
    assert.match(await mainText(page), /RescueAssist with 3 seats, billed monthly, from today\./);
    const amount = usd(c.total);
    const notice = await confirmChange(page, L, `Confirm and pay ${amount}`);
    assert.match(notice, /^Done: RescueAssist added, 3 seats\. Invoice \S+ was charged/);
    await checkPage(page, shot('21-add-done'), { lang: 'en' });
    assert.equal(await seatsOf(page, L, RESCUE), 3);
  });

  test('9. a seat limit: the message, and what was typed kept', async () => {
    await openAction(page, L, 'Change seats', RESCUE);
    // No seats at all is below the limit too, and says so (not "enter a whole number").
    let resp = await typeSeats(page, L, 0);
    assert.equal(resp.status(), 400);
    assert.equal(await page.locator('#seats-error').innerText(), 'Choose from 1 to 10000 seats for this product.');
    assert.equal(await page.getByLabel(L('Seats'), { exact: true }).inputValue(), '0');
    resp = await typeSeats(page, L, 10001);
    assert.equal(resp.status(), 400);
    await checkPage(page, shot('22-seat-limit'), { lang: 'en' });
    const field = page.getByLabel(L('Seats'), { exact: true });
    assert.equal(await field.inputValue(), '10001');
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#seats-error').innerText(), 'Choose from 1 to 10000 seats for this product.');
    assert.ok((await field.getAttribute('aria-describedby')).split(' ').includes('seats-error'));
  });

  test('10. a declined card: nothing changes, the decline said and the card to replace', async () => {
    runSql(server, `UPDATE payment_cards SET method_ref = 'pm_sb_test_9995', last4 = '9995' WHERE account_id = ${INITECH};`);
    try {
      await subscriptionTab(page, L);
      await openAction(page, L, 'Change seats', RESCUE);
      await typeSeats(page, L, 4);
      const c = await chargedNow(page, L);
      const button = page.getByRole('button', { name: `Confirm and pay ${usd(c.total)}`, exact: true });
      await button.focus();
      const resp = await navigate(page, () => page.keyboard.press('Enter'));
      assert.equal(resp.status(), 402);
      await checkPage(page, shot('23-declined'), { lang: 'en' });
      const error = norm(await page.locator('main .notice.error').innerText());
      assert.equal(error, 'The card was declined (the card has insufficient funds). Nothing was charged and ' +
        'nothing changed: you can replace the card and try again.');
      const replace = page.getByRole('link', { name: L('Replace the card'), exact: true });
      assert.equal(await replace.getAttribute('href'), '/billing/payment-method');
      await replace.focus();
      const card = await navigate(page, () => page.keyboard.press('Enter'));
      assert.equal(card.status(), 200);
      assert.equal(pathOf(page), '/billing/payment-method');
      await subscriptionTab(page, L);
      assert.equal(await seatsOf(page, L, RESCUE), 3, 'the seats did not change');
      assert.equal((await changeRows(page))[0][3], L('Not made: the payment failed'));
    } finally {
      runSql(server, `UPDATE payment_cards SET method_ref = 'pm_sb_4242', last4 = '4242' WHERE account_id = ${INITECH};`);
    }
  });
});

describe('the billing administrator in Italian', () => {
  const lang = 'it';
  const L = (s) => tr(lang, s);
  const shot = (name) => `subscription-it-${name}`;
  let page;
  before(async () => {
    page = await newPage(browser, server);
    await signInAs(page, 'billing', ADMIN, { lang });
  });
  after(async () => { await page?.context().close(); });

  test('11. it: a seat limit, then more seats charged', async () => {
    await subscriptionTab(page, L);
    await checkPage(page, shot('01-page'), { lang });
    const before = await seatsOf(page, L, MEETING);
    await openAction(page, L, 'Change seats', MEETING);
    let resp = await typeSeats(page, L, 10001);
    assert.equal(resp.status(), 400);
    await checkPage(page, shot('02-seat-limit'), { lang });
    assert.equal(await page.locator('#seats-error').innerText(),
      fmt(L('Choose from %lld to %lld seats for this product.'), 1, 10000));
    assert.equal(await page.getByLabel(L('Seats'), { exact: true }).inputValue(), '10001');
    resp = await typeSeats(page, L, before + 2);
    assert.equal(resp.status(), 200);
    await checkPage(page, shot('03-seats-preview'), { lang });
    const c = await chargedNow(page, L);
    assert.ok(c.credit < 0);
    const label = norm(await page.locator('form button.primary').innerText());
    assert.ok(label.startsWith(fmt(L('Confirm and pay %s'), '').trim()), label);
    const notice = await confirmChange(page, L, label);
    await checkPage(page, shot('04-seats-done'), { lang });
    const summary = fmt(L('%s: %lld \u2192 %lld seats'), MEETING, before, before + 2);
    assert.ok(notice.startsWith(fmt(L('Done: %s. Invoice %s was charged to the card on file; it is on its way to you by email.'), summary, '').split(' .')[0].slice(0, 20)), notice);
    assert.ok(notice.includes(summary), notice);
    assert.equal(await seatsOf(page, L, MEETING), before + 2);
  });

  test('12. it: cancel with a reason', async () => {
    await openAction(page, L, 'Cancel', MEETING);
    await checkPage(page, shot('05-cancel-form'), { lang });
    await page.getByLabel(L('Why are you cancelling? (optional)'), { exact: true }).fill('Costa troppo.');
    const resp = await navigate(page, () =>
      page.getByRole('button', { name: L('Review the change'), exact: true }).click());
    assert.equal(resp.status(), 200);
    await checkPage(page, shot('06-cancel-preview'), { lang });
    assert.ok((await mainText(page)).includes(L('Nothing more is charged: the subscription does not renew.')));
    const notice = await confirmChange(page, L, L('Confirm the change'));
    assert.equal(notice, fmt(L('Done: %s.'), fmt(L('%s cancelled'), MEETING)));
    await checkPage(page, shot('07-cancelled'), { lang });
    const status = (await rowOf(page, L, MEETING))[L('Status')];
    const prefix = L('Cancelled: ends on %s').split('%s')[0];
    assert.ok(status.startsWith(prefix) && status.includes('Costa troppo.'), status);
  });
});

// Every other change in Italian, on a server of its own (the demo as loaded: GoToMeeting, 5 seats,
// monthly): what the pages say is checked by the catalog's own sentences, up to their first
// value, so that the test reads what an Italian reader reads.
describe('every change in Italian, on a fresh account', () => {
  const lang = 'it';
  const L = (s) => tr(lang, s);
  const lead = (msgid) => L(msgid).split('%')[0];
  const shot = (name) => `subscription-it-all-${name}`;
  let srv;
  let br;
  let page;
  before(async () => {
    ({ server: srv, browser: br } = await startServerAndBrowser('subscription-it'));
    page = await newPage(br, srv);
    await signInAs(page, 'billing', ADMIN, { lang });
  });
  after(async () => {
    await page?.context().close();
    await stopServerAndBrowser(srv, br);
  });

  // The preview's primary button, pressed by keyboard; the notice it lands on.
  async function confirmPrimary() {
    const label = norm(await page.locator('main form button.primary').innerText());
    return confirmChange(page, L, label);
  }

  test('15. it: fewer seats wait for the renewal', async () => {
    await subscriptionTab(page, L);
    await openAction(page, L, 'Change seats', MEETING);
    await typeSeats(page, L, 3);
    await checkPage(page, shot('01-fewer'), { lang });
    assert.equal(await page.locator('section[aria-labelledby="due"]').count(), 0);
    assert.ok((await mainText(page)).includes(lead('From the next renewal, on %s, %s instead of %lld. Until then you keep all %lld.')));
    assert.equal(norm(await page.locator('main form button.primary').innerText()), L('Confirm the change'));
    const notice = await confirmPrimary();
    assert.ok(notice.startsWith(lead('Done: %s.')), notice);
    assert.equal(await seatsOf(page, L, MEETING), 5, 'the 5 seats stay until the renewal');
  });

  test('16. it: a product added, charged now', async () => {
    await subscriptionTab(page, L);
    await navigate(page, () => page.getByRole('link', { name: L('Add a product'), exact: true }).click());
    await page.getByLabel(L('Product'), { exact: true }).selectOption({ label: RESCUE });
    await page.getByLabel(L('Monthly'), { exact: true }).check();
    await typeSeats(page, L, 2);
    await checkPage(page, shot('02-add'), { lang });
    await chargedNow(page, L);
    assert.ok((await mainText(page)).includes(fmt(L('%s with %s, billed %s, from today.'), RESCUE,
      '2 postazioni', L('monthly'))));
    const notice = await confirmPrimary();
    assert.ok(notice.startsWith(lead('Done: %s. Invoice %s was charged to the card on file; it is on its way to you by email.')), notice);
    assert.equal(await seatsOf(page, L, RESCUE), 2);
  });

  test('17. it: monthly to annual now, then annual to monthly at the renewal', async () => {
    await subscriptionTab(page, L);
    await openAction(page, L, 'Change billing frequency', RESCUE);
    await checkPage(page, shot('03-annual'), { lang });
    const c = await chargedNow(page, L);
    assert.equal(c.credit < 0, true, 'a credit for the unused part of the month');
    assert.ok((await mainText(page)).includes(lead('From today, annual billing: a year from %s, with a credit for the unused part of the current month.')));
    await confirmPrimary();
    assert.equal((await rowOf(page, L, RESCUE))[L('Billing frequency')], L('Annual'));
    await openAction(page, L, 'Change billing frequency', RESCUE);
    assert.equal(await page.locator('section[aria-labelledby="due"]').count(), 0);
    assert.ok((await mainText(page)).includes(lead('From the next renewal, on %s, monthly billing. Until then the annual period you paid for continues.')));
    await confirmPrimary();
    assert.ok((await rowOf(page, L, RESCUE))[L('Status')].includes(lead('From %s: monthly billing.')));
  });

  test('18. it: an ended subscription reactivated at today\'s price', async () => {
    const day = (n) => new Date(testNow().getTime() - n * 86400000).toISOString().slice(0, 10);
    const start = day(61);
    runSql(srv, `INSERT INTO subscriptions (account_id, plan_id, currency, unit_amount, seats, status,
      period_start, period_end, anchor_day, created_at) SELECT ${INITECH}, p.id, 'USD', 100, 4, 'expired',
      '${start}', '${day(30)}', ${Number(start.slice(8))}, ${Math.floor(testNow().getTime() / 1000)}
      FROM plans p JOIN products pr ON pr.id = p.product_id WHERE pr.name = '${ASSIST}' AND p.billing_period = 'monthly';`);
    await subscriptionTab(page, L);
    assert.ok((await rowOf(page, L, ASSIST))[L('Status')].startsWith(lead('Ended on %s')));
    await openAction(page, L, 'Reactivate', ASSIST);
    await typeSeats(page, L, 2);
    await checkPage(page, shot('04-reactivate'), { lang });
    const c = await chargedNow(page, L);
    assert.equal(c.credit, 0);
    assert.equal(c.lineAmount, 2 * 6900);
    await confirmPrimary();
    assert.equal((await rowOf(page, L, ASSIST))[L('Status')], L('Active'));
  });

  test('19. it: a declined card changes nothing and says why', async () => {
    runSql(srv, `UPDATE payment_cards SET method_ref = 'pm_sb_test_9995', last4 = '9995' WHERE account_id = ${INITECH};`);
    await subscriptionTab(page, L);
    await openAction(page, L, 'Change seats', MEETING);
    await typeSeats(page, L, 9);
    await chargedNow(page, L);
    const button = page.locator('main form button.primary');
    await button.focus();
    const resp = await navigate(page, () => page.keyboard.press('Enter'));
    assert.equal(resp.status(), 402);
    await checkPage(page, shot('05-declined'), { lang });
    const error = norm(await page.locator('main .notice.error').innerText());
    assert.equal(error, fmt(L('The card was declined (%s). Nothing was charged and nothing changed: you can replace the card and try again.'),
      L('the card has insufficient funds')));
    assert.equal(await page.getByRole('link', { name: L('Replace the card'), exact: true }).getAttribute('href'), '/billing/payment-method');
    await subscriptionTab(page, L);
    assert.equal(await seatsOf(page, L, MEETING), 5);
  });
});

describe('Customer Care in the staff console', () => {
  const L = (s) => tr('en', s);
  test('13. care: the account page leads to its subscription; a change under Customer Care', async () => {
    const page = await newPage(browser, server);
    try {
      await signInAs(page, 'staff', CARE);
      const id = runSql(server, `SELECT id FROM accounts WHERE name = 'Initech';`);
      let resp = await navigate(page, () => page.goto(`/staff/accounts/${id}`));
      assert.equal(resp.status(), 200);
      const link = page.getByRole('link', { name: L('Open the subscription'), exact: true });
      assert.equal(await link.count(), 1, 'the account page links to the subscription');
      resp = await navigate(page, () => link.click());
      assert.equal(resp.status(), 200);
      const base = `/staff/accounts/${id}/subscription`;
      assert.equal(pathOf(page), base);
      await checkPage(page, 'subscription-staff-01-page', { lang: 'en' });
      assert.equal(await page.locator('h1').innerText(), 'Subscription of Initech');
      assert.equal(await page.getByRole('link', { name: L('Replace the card'), exact: true }).count(), 0,
        'staff do not replace the customer\'s card');
      const keep = page.getByRole('link', { name: `${L('Keep the subscription')} (${MEETING})`, exact: true });
      resp = await navigate(page, () => keep.click());
      assert.equal(resp.status(), 200);
      await checkPage(page, 'subscription-staff-02-keep-preview', { lang: 'en' });
      resp = await navigate(page, () => page.getByRole('button', { name: L('Confirm the change'), exact: true }).click());
      assert.equal(resp.status(), 200);
      assert.equal(pathOf(page), base);
      await checkPage(page, 'subscription-staff-03-kept', { lang: 'en' });
      assert.equal(norm(await page.locator('main .notice.info').innerText()),
        'Done: GoToMeeting kept (cancellation undone).');
      const first = (await changeRows(page))[0];
      assert.equal(first[4], L('Customer Care'));
      assert.ok((await changeRows(page)).some((r) => r[4] === L('Billing administrator')));
      // The invoices link to the staff console's invoice pages.
      const inv = page.locator('section[aria-labelledby="changes"] tbody a').first();
      assert.match(await inv.getAttribute('href'), /^\/staff\/invoices\/\S+$/);
    } finally {
      await page.context().close();
    }
  });
});

describe('on a phone', () => {
  const L = (s) => tr('en', s);
  test('14. phone: the tables stack, the preview\'s amounts stay in sight', async () => {
    const page = await newPage(browser, server, { phone: true });
    try {
      await signInAs(page, 'billing', ADMIN);
      await navigate(page, () => page.goto(BASE));
      await checkPage(page, 'subscription-phone-01-page', { lang: 'en' });
      await checkStackedTable(page, 'main table.stack >> nth=0', 'products');
      await checkStackedTable(page, 'section[aria-labelledby="changes"] table', 'recent changes');
      const actions = page.getByRole('link', { name: `${L('Change seats')} (${RESCUE})`, exact: true });
      await assertInViewport(page, actions, 'an action link');
      await openAction(page, L, 'Change seats', RESCUE);
      await checkPage(page, 'subscription-phone-02-seats-form', { lang: 'en' });
      await typeSeats(page, L, 5);
      await checkPage(page, 'subscription-phone-03-seats-preview', { lang: 'en' });
      await checkStackedTable(page, 'section[aria-labelledby="due"] table', 'charged now');
      const total = page.locator('section[aria-labelledby="due"] tfoot tr').last().locator('td');
      await assertInViewport(page, total, 'the total charged now');
      await assertInViewport(page, page.locator('form button.primary'), 'the confirmation button');
    } finally {
      await page.context().close();
    }
  });
});
