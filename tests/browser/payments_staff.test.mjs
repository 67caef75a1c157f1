// Staff console, Corporate Account Services: record a wire received for Acme through the form
// (from the account's page), a refused amount shown with what was typed kept, then the payment's
// page with where the money went. English and Spanish; axe and a screenshot of every page.
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
before(async () => ({ server, browser } = await startServerAndBrowser('payments-staff')));
after(() => stopServerAndBrowser(server, browser));

const CASES = [
  { lang: 'en', typed: (s) => s, ref: 'FT-EN-0001' },
  { lang: 'es', typed: (s) => s.replace('.', ','), ref: 'FT-ES-0001' },
];

let n = 0;
for (const c of CASES) {
  const L = (s) => tr(c.lang, s);

  describe(`recording a payment (${c.lang})`, () => {
    let page;
    before(async () => {
      page = await newPage(browser, server);
      await signInAs(page, 'staff', 'cas@vendor.example', { lang: c.lang });
    });
    after(async () => { await page?.context().close(); });

    test(`${++n}. ${c.lang}: "Record a payment" on the account's page opens the form`, async () => {
      await navigate(page, () => page.goto('/staff/accounts'));
      await navigate(page, () => page.getByRole('link', { name: 'Acme Corporation' }).first().click());
      const link = page.getByRole('link', { name: L('Record a payment'), exact: true });
      assert.equal(await link.count(), 1);
      await navigate(page, () => link.click());
      assert.match(pathOf(page), /^\/staff\/accounts\/\d+\/payments\/new$/);
      await checkPage(page, `payments-staff-${c.lang}-01-form`, { lang: c.lang });
      // Every field has its label: the method radios, the date, each invoice's amount.
      assert.equal(await page.getByLabel(L('Wire transfer'), { exact: true }).count(), 1);
      assert.notEqual(await page.getByLabel(L('Date received'), { exact: true }).inputValue(), '');
      const applies = page.locator('input[name^="apply_"]');
      assert.ok(await applies.count() >= 1, 'Acme has open invoices to apply to');
    });

    test(`${++n}. ${c.lang}: more applied than received is refused, everything typed stays`, async () => {
      await page.getByLabel(L('Wire transfer'), { exact: true }).check();
      await page.getByLabel(L('Amount received'), { exact: true }).fill(c.typed('5.00'));
      await page.getByLabel(L('Reference'), { exact: true }).fill(c.ref);
      await page.getByLabel(L('Payer'), { exact: true }).fill('Acme AP');
      const first = page.locator('input[name^="apply_"]').first();
      await first.fill(c.typed('10.00'));
      const resp = await navigate(page, () =>
        page.getByRole('button', { name: L('Record payment') }).click());
      assert.equal(resp.status(), 400);
      await checkPage(page, `payments-staff-${c.lang}-02-refused`, { lang: c.lang });
      const text = await mainText(page);
      assert.ok(text.includes(L('Nothing was recorded. Check the fields marked below.')));
      assert.ok(text.includes(L('The amounts applied to invoices add up to more than the amount received.')));
      const amount = page.getByLabel(L('Amount received'), { exact: true });
      assert.equal(await amount.inputValue(), c.typed('5.00'));
      assert.equal(await amount.getAttribute('aria-invalid'), 'true');
      assert.equal(await page.getByLabel(L('Reference'), { exact: true }).inputValue(), c.ref);
      assert.equal(await page.locator('input[name^="apply_"]').first().inputValue(), c.typed('10.00'));
      assert.equal(await page.getByLabel(L('Wire transfer'), { exact: true }).isChecked(), true);
    });

    test(`${++n}. ${c.lang}: recorded, the payment's page shows where the money went`, async () => {
      await page.getByLabel(L('Amount received'), { exact: true }).fill(c.typed('25.00'));
      const resp = await navigate(page, () =>
        page.getByRole('button', { name: L('Record payment') }).click());
      assert.equal(resp.status(), 200);
      assert.match(pathOf(page), /^\/staff\/payments\/\d+$/);
      await checkPage(page, `payments-staff-${c.lang}-03-recorded`, { lang: c.lang });
      assert.equal(await page.getByRole('status').innerText(), L('The payment has been recorded.'));
      const text = await mainText(page);
      for (const words of [L('Wire transfer'), c.ref, 'Acme AP', L('Account credit'),
        L('Applied to invoice'), L('Kept as credit'), L('Reverse this payment')]) {
        assert.ok(text.includes(words), `the payment's page shows "${words}"`);
      }
    });
  });
}
