// Staff console, administrators: the vendor's payment details (remit-to bank, check address),
// refused input kept, a save shown to customers on the Payment Method tab. English and French.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  newPage,
  checkPage,
  navigate,
  signInAs,
  tr,
  mainText,
  pathOf,
  startServerAndBrowser,
  stopServerAndBrowser,
} from './harness.mjs';

let server;
let browser;
before(async () => ({ server, browser } = await startServerAndBrowser('payment-details')));
after(() => stopServerAndBrowser(server, browser));

const CASES = [
  { lang: 'en', bank: 'Example Savings Bank', city: 'Boston, MA 02110' },
  { lang: 'fr', bank: 'Banque Exemple', city: '75002 Paris' },
];

let n = 0;
for (const c of CASES) {
  const L = (s) => tr(c.lang, s);
  const field = (page, label) => page.getByLabel(L(label), { exact: true });

  describe(`payment details (${c.lang})`, () => {
    let page;
    before(async () => {
      page = await newPage(browser, server);
      await signInAs(page, 'staff', 'admin@vendor.example', { lang: c.lang });
    });
    after(async () => { await page?.context().close(); });

    test(`${++n}. ${c.lang}: the administrator opens the page from the staff home`, async () => {
      const link = page.getByRole('link', { name: L('Payment details shown to customers') });
      assert.equal(await link.count(), 1);
      await navigate(page, () => link.click());
      assert.equal(pathOf(page), '/staff/payment-details');
      await checkPage(page, `payment-details-${c.lang}-01-form`, { lang: c.lang });
      assert.equal(await page.locator('h1').innerText(), L('Payment details'));
      assert.notEqual(await field(page, 'Bank').inputValue(), '', 'prefilled with the demo details');
    });

    test(`${++n}. ${c.lang}: a wrong BIC is refused and everything typed stays`, async () => {
      await field(page, 'Bank').fill(c.bank);
      await field(page, 'BIC / SWIFT').fill('BNPAFR');
      await field(page, 'Mailing address for checks').fill(`Vendor, Inc.\nLockbox 7\n${c.city}`);
      const resp = await navigate(page, () => page.getByRole('button', { name: L('Save') }).click());
      assert.equal(resp.status(), 400);
      await checkPage(page, `payment-details-${c.lang}-02-refused`, { lang: c.lang });
      const text = await mainText(page);
      assert.ok(text.includes(L('Enter a BIC of 8 or 11 letters and digits, such as COBADEFFXXX.')));
      assert.equal(await field(page, 'Bank').inputValue(), c.bank);
      assert.equal(await field(page, 'BIC / SWIFT').inputValue(), 'BNPAFR');
      assert.equal(await field(page, 'BIC / SWIFT').getAttribute('aria-invalid'), 'true');
      assert.ok((await field(page, 'Mailing address for checks').inputValue()).includes(c.city));
    });

    test(`${++n}. ${c.lang}: a good save says so, and customers see the new details`, async () => {
      await field(page, 'BIC / SWIFT').fill('BNPAFRPP');
      const resp = await navigate(page, () => page.getByRole('button', { name: L('Save') }).click());
      assert.equal(resp.status(), 200);
      await checkPage(page, `payment-details-${c.lang}-03-saved`, { lang: c.lang });
      assert.equal(await page.getByRole('status').innerText(), L('The payment details have been saved.'));

      const customer = await newPage(browser, server);
      try {
        await signInAs(customer, 'corporate', 'acme-billing', { lang: c.lang });
        await navigate(customer, () => customer.goto('/corporate/payment-method'));
        const text = await mainText(customer);
        for (const words of [c.bank, 'BNPAFRPP', 'Lockbox 7', c.city]) {
          assert.ok(text.includes(words), `the Payment Method tab shows "${words}"`);
        }
      } finally {
        await customer.context().close();
      }
    });
  });
}
