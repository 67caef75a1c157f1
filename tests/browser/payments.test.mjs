// Paying an invoice by card in the Corporate Billing Portal (issue 12), in a browser, through the
// sandbox gateway's hosted page: in part, declined, with the bank's extra authentication step
// and in full (en); a refused amount, in full, and insufficient funds (it): the message tied to
// the field, what was typed kept. axe and a screenshot on every page.
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
  mainText,
  invoiceRows,
} from './harness.mjs';

const ACME = 'acme-billing';
const GLOBEX = 'ap@globex.example';

let server;
let browser;
before(async () => ({ server, browser } = await startServerAndBrowser('payments')));
after(() => stopServerAndBrowser(server, browser));

// The number of an invoice listed in Invoice History (newest first).
async function anInvoice(page, index = 0) {
  await navigate(page, () => page.goto('/corporate/invoices'));
  const rows = await invoiceRows(page);
  assert.ok(rows.length > index, 'the demo account has invoices');
  return rows[index].number;
}

// The Pay page of an invoice, checked.
async function openPay(page, number, lang, shot) {
  const resp = await navigate(page, () => page.goto(`/corporate/invoices/${number}/pay`));
  assert.equal(resp.status(), 200);
  await checkPage(page, shot, { lang });
  assert.equal(await page.locator('h1').innerText(), tr(lang, 'Pay invoice %s').replace('%s', number));
}

// Types the amount (or keeps the one offered) and goes on to the sandbox's page.
async function continueToPay(page, amount, lang, shot) {
  if (amount !== null) await page.getByLabel(tr(lang, 'Amount to pay (%s)').replace('%s', 'USD'), { exact: false }).fill(amount);
  const resp = await navigate(page, () =>
    page.getByRole('button', { name: tr(lang, 'Continue to secure payment') }).click());
  assert.equal(resp.status(), 200);
  assert.match(pathOf(page), /^\/sandbox\/checkout\/cs_test_/);
  await checkPage(page, shot, { lang });
  assert.match(await mainText(page), new RegExp(tr(lang, 'Test mode: no real money')));
}

async function fillCard(page, lang, card) {
  await page.getByLabel(tr(lang, 'Card number')).fill(card);
  await page.getByLabel(tr(lang, 'Expiry date (MM / YY)')).fill('12 / 34');
  await page.getByLabel(tr(lang, 'Security code')).fill('123');
  await page.getByLabel(tr(lang, 'Name on card')).fill('Jordan Smith');
}

// Reloads the invoice page until the payment's outcome shows (its event comes a moment later).
async function outcomeShown(page, pattern) {
  for (let i = 0; i < 50; i++) {
    const text = await mainText(page);
    if (pattern.test(text)) return text;
    await new Promise((r) => setTimeout(r, 200));
    await navigate(page, () => page.reload());
  }
  assert.fail(`the invoice page never said ${pattern}: ${await mainText(page)}`);
}

describe('paying an invoice by card', () => {
  test('1. en: part of an invoice, by keyboard on the Pay page', async () => {
    const page = await newPage(browser, server);
    await signInAs(page, 'corporate', ACME);
    const number = await anInvoice(page);
    await openPay(page, number, 'en', 'pay-en-form');
    // The amount field is reachable by keyboard and filled with what may be paid.
    const amount = page.getByLabel('Amount to pay (USD)');
    assert.match(await amount.inputValue(), /^\d+\.\d\d$/);
    await amount.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('25.00');
    await page.keyboard.press('Tab');
    const resp = await navigate(page, () => page.keyboard.press('Enter'));
    assert.equal(resp.status(), 200);
    assert.match(pathOf(page), /^\/sandbox\/checkout\//);
    await checkPage(page, 'pay-en-sandbox', { lang: 'en' });
    assert.match(await mainText(page), /\$25\.00/);
    await fillCard(page, 'en', '4242 4242 4242 4242');
    await navigate(page, () => page.getByRole('button', { name: 'Pay', exact: true }).click());
    assert.equal(pathOf(page), `/corporate/invoices/${number}`);
    await outcomeShown(page, /Payment received/);
    await checkPage(page, 'pay-en-received', { lang: 'en' });
    await page.context().close();
  });

  test('2. en: a declined card says why, and nothing was charged', async () => {
    const page = await newPage(browser, server);
    await signInAs(page, 'corporate', ACME);
    const number = await anInvoice(page);
    await openPay(page, number, 'en', 'pay-en-form-2');
    await continueToPay(page, '30.00', 'en', 'pay-en-sandbox-2');
    await fillCard(page, 'en', '4000 0000 0000 0002');
    await navigate(page, () => page.getByRole('button', { name: 'Pay', exact: true }).click());
    const text = await outcomeShown(page, /did not go through/);
    assert.match(text, /the card was declined/);
    assert.match(text, /Nothing was charged/);
    await checkPage(page, 'pay-en-declined', { lang: 'en' });
    await page.context().close();
  });

  test('3. en: the bank\'s extra authentication step, then paid', async () => {
    const page = await newPage(browser, server);
    await signInAs(page, 'corporate', ACME);
    const number = await anInvoice(page);
    await openPay(page, number, 'en', 'pay-en-form-3');
    await continueToPay(page, '40.00', 'en', 'pay-en-sandbox-3');
    await fillCard(page, 'en', '4000 0025 0000 3155');
    await navigate(page, () => page.getByRole('button', { name: 'Pay', exact: true }).click());
    assert.match(pathOf(page), /\/authenticate$/);
    await checkPage(page, 'pay-en-authenticate', { lang: 'en' });
    await navigate(page, () => page.getByRole('button', { name: 'Complete authentication' }).click());
    assert.equal(pathOf(page), `/corporate/invoices/${number}`);
    await outcomeShown(page, /Payment received/);
    await page.context().close();
  });

  test('4. it: a refused amount is explained, then the whole balance paid', async () => {
    const page = await newPage(browser, server);
    await signInAs(page, 'corporate', GLOBEX, { lang: 'it' });
    const number = await anInvoice(page);
    await openPay(page, number, 'it', 'pay-it-form');
    const label = tr('it', 'Amount to pay (%s)').replace('%s', 'EUR');
    const amount = page.getByLabel(label);
    const offered = await amount.inputValue();
    assert.match(offered, /^\d+,\d\d$/, 'the amount is offered with the Italian decimal comma');
    await amount.fill('molto');
    const resp = await navigate(page, () =>
      page.getByRole('button', { name: tr('it', 'Continue to secure payment') }).click());
    assert.equal(resp.status(), 400);
    await checkPage(page, 'pay-it-refused', { lang: 'it' });
    assert.equal(await page.getByLabel(label).inputValue(), 'molto');
    assert.equal(await page.getByLabel(label).getAttribute('aria-invalid'), 'true');
    const described = await page.getByLabel(label).getAttribute('aria-describedby');
    assert.match(described, /amount-error/);
    assert.equal((await page.locator('#amount-error').innerText()).trim(),
      tr('it', 'Enter the amount as a number, such as 1250.00.'));
    await page.getByLabel(label).fill(offered);
    await navigate(page, () =>
      page.getByRole('button', { name: tr('it', 'Continue to secure payment') }).click());
    await checkPage(page, 'pay-it-sandbox', { lang: 'it' });
    assert.match(await mainText(page), new RegExp(tr('it', 'Test mode: no real money')));
    await fillCard(page, 'it', '4242424242424242');
    await navigate(page, () => page.getByRole('button', { name: tr('it', 'Pay'), exact: true }).click());
    await outcomeShown(page, new RegExp(tr('it', 'Payment received: thank you. A receipt is on its way to you by email.').slice(0, 20)));
    await checkPage(page, 'pay-it-received', { lang: 'it' });
    await navigate(page, () => page.goto(`/corporate/invoices/${number}/pay`));
    assert.match(await mainText(page), new RegExp(tr('it', 'This invoice is paid in full.')));
    await page.context().close();
  });

  test('5. it: insufficient funds, said in Italian; nothing charged', async () => {
    const page = await newPage(browser, server);
    await signInAs(page, 'corporate', GLOBEX, { lang: 'it' });
    const number = await anInvoice(page, 1);
    await openPay(page, number, 'it', 'pay-it-form-5');
    await page.getByLabel(tr('it', 'Amount to pay (%s)').replace('%s', 'EUR')).fill('12,50');
    await navigate(page, () =>
      page.getByRole('button', { name: tr('it', 'Continue to secure payment') }).click());
    await fillCard(page, 'it', '4000 0000 0000 9995');
    await navigate(page, () => page.getByRole('button', { name: tr('it', 'Pay'), exact: true }).click());
    const text = await outcomeShown(page, new RegExp(tr('it', 'the card has insufficient funds')));
    assert.match(text, new RegExp(tr('it', 'the card has insufficient funds')));
    await checkPage(page, 'pay-it-declined', { lang: 'it' });
    await page.context().close();
  });

  test('6. en: the whole balance, as offered', async () => {
    const page = await newPage(browser, server);
    await signInAs(page, 'corporate', ACME);
    const number = await anInvoice(page);
    await openPay(page, number, 'en', 'pay-en-form-6');
    await continueToPay(page, null, 'en', 'pay-en-sandbox-6');
    await fillCard(page, 'en', '5555 5555 5555 4444');
    await navigate(page, () => page.getByRole('button', { name: 'Pay', exact: true }).click());
    await outcomeShown(page, /Payment received/);
    await navigate(page, () => page.goto(`/corporate/invoices/${number}/pay`));
    assert.match(await mainText(page), /This invoice is paid in full\./);
    await checkPage(page, 'pay-en-paid-in-full', { lang: 'en' });
    await page.context().close();
  });
});
