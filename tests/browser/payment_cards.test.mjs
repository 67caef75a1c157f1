// The card on file on the Payment Method tab of the Corporate Billing Portal, in English (Acme)
// and Italian (Globex): choosing "Credit or debit card", adding a card on the sandbox's hosted
// set-up page, seeing it on the tab (brand, last four digits, expiry, cardholder name), turning
// automatic payment on, and removing the card. axe and a screenshot on every page.
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

const TAB = '/corporate/payment-method';
const MASK = '\u2022\u2022\u2022\u2022';

let server;
let browser;
before(async () => ({ server, browser } = await startServerAndBrowser('payment-cards')));
after(() => stopServerAndBrowser(server, browser));

const FLOWS = [
  { lang: 'en', user: 'acme-billing', holder: 'Jordan Smith' },
  { lang: 'it', user: 'ap@globex.example', holder: 'Giulia Bianchi' },
];

let n = 0;
for (const f of FLOWS) {
  const L = (s) => tr(f.lang, s);
  const shot = (name) => `payment-cards-${f.lang}-${name}`;

  describe(`card on file (${f.lang}, ${f.user})`, () => {
    let page;
    before(async () => { page = await newPage(browser, server); });
    after(async () => { await page?.context().close(); });

    test(`${++n}. ${f.lang}: choosing card shows the card-on-file section`, async () => {
      await signInAs(page, 'corporate', f.user, { lang: f.lang });
      let resp = await navigate(page, () => page.goto(TAB));
      assert.equal(resp.status(), 200);
      await page.getByLabel(L('Credit or debit card'), { exact: true }).check();
      resp = await navigate(page, () =>
        page.locator('form.payment-form').getByRole('button', { name: L('Save'), exact: true }).click());
      assert.equal(resp.status(), 200);
      await checkPage(page, shot('01-no-card'), { lang: f.lang });
      const section = page.locator('section.card-on-file');
      assert.equal(norm(await section.locator('h2').innerText()).trim(), L('Card on file'));
      assert.ok(norm(await section.innerText()).includes(L('No card is saved yet.')));
    });

    test(`${++n}. ${f.lang}: a card added on the sandbox page shows on the tab`, async () => {
      let resp = await navigate(page, () =>
        page.getByRole('button', { name: L('Add a card'), exact: true }).click());
      assert.equal(resp.status(), 200);
      assert.ok(pathOf(page).startsWith('/sandbox/checkout/cs_test_'), page.url());
      await checkPage(page, shot('02-sandbox'), { lang: f.lang });
      await page.getByLabel(L('Card number'), { exact: true }).fill('4242 4242 4242 4242');
      await page.getByLabel(L('Expiry date (MM / YY)'), { exact: true }).fill('12 / 34');
      await page.getByLabel(L('Security code'), { exact: true }).fill('123');
      await page.getByLabel(L('Name on card'), { exact: true }).fill(f.holder);
      resp = await navigate(page, () =>
        page.getByRole('button', { name: L('Save card'), exact: true }).click());
      assert.equal(resp.status(), 200);
      assert.equal(pathOf(page), TAB);
      assert.match(new URL(page.url()).search, /^\?setup=\d+$/);
      // The event saves the card a moment later: the page says so and links to itself.
      for (let i = 0; i < 100; i++) {
        if ((await mainText(page)).includes(L('Your card has been saved.'))) break;
        assert.ok((await mainText(page)).includes(L('Your card is being saved: this takes a few seconds.')));
        await new Promise((r) => setTimeout(r, 150));
        await navigate(page, () => page.getByRole('link', { name: L('Refresh this page'), exact: true }).click());
      }
      await checkPage(page, shot('03-saved'), { lang: f.lang });
      const facts = norm(await page.locator('section.card-on-file dl').innerText());
      assert.ok(facts.includes(`Visa ${MASK} 4242`), facts);
      assert.ok(facts.includes('12/2034'), facts);
      assert.ok(facts.includes(f.holder), facts);
      for (const b of ['Replace card', 'Remove card', 'Save automatic payment'])
        assert.equal(await page.getByRole('button', { name: L(b), exact: true }).count(), 1, b);
    });

    test(`${++n}. ${f.lang}: automatic payment is turned on with its labelled checkbox`, async () => {
      const box = page.getByLabel(L('Charge each invoice to this card automatically on its due date'), { exact: true });
      assert.equal(await box.isChecked(), false);
      await box.check();
      const resp = await navigate(page, () =>
        page.getByRole('button', { name: L('Save automatic payment'), exact: true }).click());
      assert.equal(resp.status(), 200);
      await checkPage(page, shot('04-autopay'), { lang: f.lang });
      assert.ok((await mainText(page)).includes(
        L('Automatic payment is on: each invoice will be charged to your card on its due date.')));
      assert.equal(await page.getByLabel(L('Charge each invoice to this card automatically on its due date'), { exact: true }).isChecked(), true);
    });

    test(`${++n}. ${f.lang}: removing the card`, async () => {
      const resp = await navigate(page, () =>
        page.getByRole('button', { name: L('Remove card'), exact: true }).click());
      assert.equal(resp.status(), 200);
      await checkPage(page, shot('05-removed'), { lang: f.lang });
      const text = await mainText(page);
      assert.ok(text.includes(L('The card has been removed.')), text);
      assert.ok(!text.includes('4242'), text);
      assert.equal(await page.getByRole('button', { name: L('Add a card'), exact: true }).count(), 1);
    });
  });
}
