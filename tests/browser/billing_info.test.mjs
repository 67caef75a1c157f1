// Billing Center, billing information (issue 13), in English and Spanish: the billing
// administrator of Initech edits the Bill To (a refused phone kept with its message, then saved),
// adds and removes an invoice recipient, and on the Payment Method tab replaces (English) or adds
// (Spanish, after English removed it) the card on the sandbox's hosted set-up page; a member sees
// only the Account tab and gets the 404 page at these addresses. axe and a screenshot on every page.
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
} from './harness.mjs';

const ADMIN = 'owner@initech.example';
const MEMBER = 'user@initech.example';
const TAB = '/billing/payment-method';
const MASK = '\u2022\u2022\u2022\u2022';

let server;
let browser;
before(async () => ({ server, browser } = await startServerAndBrowser('billing-info')));
after(() => stopServerAndBrowser(server, browser));

// The tabs of the page's navigation, as [href, text].
async function tabs(page) {
  return page.locator('nav.tabs a').evaluateAll((as) =>
    as.map((a) => [a.getAttribute('href'), a.textContent.trim()]));
}

// Sends the card form of the sandbox's set-up page and waits until the event has saved the card.
async function saveCardOnSandbox(page, L, shot, lang) {
  assert.ok(pathOf(page).startsWith('/sandbox/checkout/cs_test_'), page.url());
  await checkPage(page, shot('sandbox'), { lang });
  await page.getByLabel(L('Card number'), { exact: true }).fill('5555 5555 5555 4444');
  await page.getByLabel(L('Expiry date (MM / YY)'), { exact: true }).fill('03 / 31');
  await page.getByLabel(L('Security code'), { exact: true }).fill('123');
  await page.getByLabel(L('Name on card'), { exact: true }).fill('Bill Lumbergh');
  const resp = await navigate(page, () =>
    page.getByRole('button', { name: L('Save card'), exact: true }).click());
  assert.equal(resp.status(), 200);
  assert.equal(pathOf(page), TAB);
  for (let i = 0; i < 100; i++) {
    if ((await mainText(page)).includes(L('Your card has been saved.'))) break;
    await new Promise((r) => setTimeout(r, 150));
    await navigate(page, () => page.getByRole('link', { name: L('Refresh this page'), exact: true }).click());
  }
  await checkPage(page, shot('card-saved'), { lang });
  const facts = norm(await page.locator('section.card-on-file dl').innerText());
  assert.ok(facts.includes(`Mastercard ${MASK} 4444`) && facts.includes('03/2031'), facts);
}

let n = 0;
for (const lang of ['en', 'es']) {
  const L = (s) => tr(lang, s);
  const shot = (name) => `billing-info-${lang}-${name}`;

  describe(`billing information (${lang})`, () => {
    let page;
    before(async () => {
      page = await newPage(browser, server);
      await signInAs(page, 'billing', ADMIN, { lang });
    });
    after(async () => { await page?.context().close(); });

    test(`${++n}. ${lang}: the tabs and the account page lead to each page`, async () => {
      await checkPage(page, shot('01-account'), { lang });
      assert.deepEqual(await tabs(page), [
        ['/billing/account', L('Account')],
        ['/billing/subscription', L('Subscription')],
        ['/billing/invoices', L('Invoice History')],
        ['/billing/payment-method', L('Payment Method')],
      ]);
      assert.equal(await page.locator('section[aria-labelledby="bill-to"] a[href="/billing/bill-to"]').count(), 1);
      assert.equal(await page.getByRole('link', { name: L('Manage invoice recipients'), exact: true }).count(), 1);
    });

    test(`${++n}. ${lang}: Bill To: a refused phone is kept with its message, then saved`, async () => {
      let resp = await navigate(page, () =>
        page.locator('section[aria-labelledby="bill-to"]').getByRole('link', { name: L('Edit'), exact: true }).click());
      assert.equal(resp.status(), 200);
      assert.equal(pathOf(page), '/billing/bill-to');
      await checkPage(page, shot('02-bill-to'), { lang });
      const text = await mainText(page);
      assert.ok(text.includes(L('The country cannot be changed here. To change it, contact Customer Care.')), text);
      assert.equal(await page.locator('input[name=contact_email]').count(), 0, 'no billing contact here');
      const phone = page.getByLabel(L('Phone'), { exact: true });
      await phone.fill('55-01');
      resp = await navigate(page, () => page.getByRole('button', { name: L('Save'), exact: true }).click());
      assert.equal(resp.status(), 400);
      await checkPage(page, shot('03-bill-to-refused'), { lang });
      assert.equal(await phone.inputValue(), '55-01');
      assert.equal(await phone.getAttribute('aria-invalid'), 'true');
      assert.ok((await mainText(page)).includes(
        L('Enter a phone number of 7 to 20 digits; spaces, +, - and parentheses are allowed.')));
      const typed = lang === 'en' ? '+1 512 555 0101' : '+1 512 555 0102';
      await phone.fill(typed);
      await page.getByLabel(L('Address line 2 (optional)'), { exact: true }).fill(`Suite ${lang}`);
      resp = await navigate(page, () => page.getByRole('button', { name: L('Save'), exact: true }).click());
      assert.equal(resp.status(), 200);
      assert.equal(pathOf(page), '/billing/account');
      await checkPage(page, shot('04-account-saved'), { lang });
      const saved = await mainText(page);
      assert.ok(saved.includes(L('Your changes have been saved.')) && saved.includes(typed), saved);
    });

    test(`${++n}. ${lang}: an invoice recipient is added and removed`, async () => {
      let resp = await navigate(page, () =>
        page.getByRole('link', { name: L('Manage invoice recipients'), exact: true }).click());
      assert.equal(resp.status(), 200);
      assert.equal(pathOf(page), '/billing/recipients');
      await checkPage(page, shot('05-recipients'), { lang });
      const email = `milton.${lang}@initech.example`;
      await page.getByLabel(L('Name'), { exact: true }).fill('Milton Waddams');
      await page.getByLabel(L('Email'), { exact: true }).fill(email);
      resp = await navigate(page, () => page.getByRole('button', { name: L('Add'), exact: true }).click());
      assert.equal(resp.status(), 200);
      await checkPage(page, shot('06-recipient-added'), { lang });
      assert.ok((await mainText(page)).includes(L('The recipient has been added.')));
      const remove = page.getByRole('button', { name: L('Remove %s').replace('%s', email), exact: true });
      assert.equal(await remove.count(), 1);
      resp = await navigate(page, () => remove.click());
      assert.equal(resp.status(), 200);
      await checkPage(page, shot('07-recipient-removed'), { lang });
      const text = await mainText(page);
      assert.ok(text.includes(L('The recipient has been removed.')) && !text.includes(email), text);
    });

    test(`${++n}. ${lang}: the card on file is ${lang === 'en' ? 'replaced, then removed' : 'added'}`, async () => {
      let resp = await navigate(page, () =>
        page.locator('nav.tabs').getByRole('link', { name: L('Payment Method'), exact: true }).click());
      assert.equal(resp.status(), 200);
      assert.equal(pathOf(page), TAB);
      await checkPage(page, shot('08-payment-method'), { lang });
      assert.equal(await page.locator('#autopay').count(), 0, 'no automatic payment choice');
      if (lang === 'en') {
        assert.ok(norm(await page.locator('section.card-on-file dl').innerText()).includes(`Visa ${MASK} 4242`));
        resp = await navigate(page, () => page.getByRole('button', { name: L('Replace card'), exact: true }).click());
        assert.equal(resp.status(), 200);
        await saveCardOnSandbox(page, L, shot, lang);
        resp = await navigate(page, () => page.getByRole('button', { name: L('Remove card'), exact: true }).click());
        assert.equal(resp.status(), 200);
        await checkPage(page, shot('09-card-removed'), { lang });
        assert.ok((await mainText(page)).includes(L('The card has been removed.')));
      } else {
        assert.ok((await mainText(page)).includes(L('No card is saved yet.')));
        resp = await navigate(page, () => page.getByRole('button', { name: L('Add a card'), exact: true }).click());
        assert.equal(resp.status(), 200);
        await saveCardOnSandbox(page, L, shot, lang);
      }
    });
  });
}

describe('a member', () => {
  test(`${++n}. es: a member has only the Account tab, and these pages answer 404`, async () => {
    const page = await newPage(browser, server);
    try {
      await signInAs(page, 'billing', MEMBER, { lang: 'es' });
      assert.deepEqual(await tabs(page), [['/billing/account', tr('es', 'Account')]]);
      for (const p of ['/billing/bill-to', '/billing/recipients', TAB]) {
        const resp = await navigate(page, () => page.goto(p));
        assert.equal(resp.status(), 404, p);
      }
      await checkPage(page, 'billing-info-es-10-member-404', { lang: 'es' });
    } finally {
      await page.context().close();
    }
  });
});
