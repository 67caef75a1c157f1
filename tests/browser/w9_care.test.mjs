// The W-9 (docs/w9.md) and Customer Care's change of a billing administrator (docs/care.md), in
// English and Spanish: the admin uploads a W-9 (a refused file, then a PDF) and sees its
// versions; Acme's billing contact downloads it from the account page; Care verifies a caller
// (not verified, then verified: only "verified"/"not verified" is shown) and changes Initech's
// billing administrator.
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
before(async () => ({ server, browser } = await startServerAndBrowser('w9-care')));
after(() => stopServerAndBrowser(server, browser));

const pdf = (label) => Buffer.from(`%PDF-1.4\n% ${label}\n%%EOF\n`);

const CASES = [
  { lang: 'en', newAdmin: 'Peter Gibbons (user@initech.example)', newEmail: 'user@initech.example' },
  { lang: 'es', newAdmin: 'Bill Lumbergh (owner@initech.example)', newEmail: 'owner@initech.example' },
];

let n = 0;
for (const c of CASES) {
  const L = (s) => tr(c.lang, s);

  describe(`W-9 (${c.lang})`, () => {
    test(`${++n}. ${c.lang}: the admin uploads a W-9 and sees its versions`, async () => {
      const page = await newPage(browser, server);
      try {
        await signInAs(page, 'staff', 'admin@vendor.example', { lang: c.lang });
        const link = page.getByRole('link', { name: L('Upload the W-9 and see its versions') });
        await navigate(page, () => link.click());
        assert.equal(pathOf(page), '/staff/w9');
        await checkPage(page, `w9-${c.lang}-01-staff`, { lang: c.lang });
        const file = page.getByLabel(L('W-9 (PDF, at most 5 MB)'));
        await file.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
        let resp = await navigate(page, () => page.getByRole('button', { name: L('Upload') }).click());
        assert.equal(resp.status(), 400);
        await checkPage(page, `w9-${c.lang}-02-refused`, { lang: c.lang });
        assert.ok((await mainText(page)).includes(L('The file is not a PDF. Upload the W-9 as a PDF document.')));
        assert.equal(await page.getByLabel(L('W-9 (PDF, at most 5 MB)')).getAttribute('aria-invalid'), 'true');
        await page.getByLabel(L('W-9 (PDF, at most 5 MB)')).setInputFiles(
          { name: `w9-${c.lang}.pdf`, mimeType: 'application/pdf', buffer: pdf(c.lang) });
        resp = await navigate(page, () => page.getByRole('button', { name: L('Upload') }).click());
        assert.equal(resp.status(), 200);
        assert.equal(pathOf(page), '/staff/w9');
        await checkPage(page, `w9-${c.lang}-03-uploaded`, { lang: c.lang });
        assert.equal(await page.getByRole('status').innerText(), L('The new W-9 has been uploaded.'));
        const rows = page.locator('table tbody tr');
        assert.ok(await rows.count() >= 2, 'every version is listed');
        assert.ok((await rows.first().innerText()).includes(`w9-${c.lang}.pdf`), 'the newest first');
      } finally {
        await page.context().close();
      }
    });

    test(`${++n}. ${c.lang}: Acme's billing contact downloads it from the account page`, async () => {
      const page = await newPage(browser, server);
      try {
        await signInAs(page, 'corporate', 'acme-billing', { lang: c.lang });
        await navigate(page, () => page.goto('/corporate/account'));
        await checkPage(page, `w9-${c.lang}-04-account`, { lang: c.lang });
        const link = page.getByRole('link', { name: L('Download the W-9 (PDF)') });
        assert.equal(await link.count(), 1);
        const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
        assert.equal(download.suggestedFilename(), 'W-9.pdf');
        const chunks = [];
        for await (const chunk of await download.createReadStream()) chunks.push(chunk);
        assert.equal(Buffer.concat(chunks).toString(), pdf(c.lang).toString());
      } finally {
        await page.context().close();
      }
    });
  });

  describe(`Customer Care changes the billing administrator (${c.lang})`, () => {
    let page;
    before(async () => {
      page = await newPage(browser, server);
      await signInAs(page, 'staff', 'care@vendor.example', { lang: c.lang });
    });
    after(async () => { await page?.context().close(); });

    const fillCard = async (last4) => {
      await page.getByLabel(L('Last four digits')).fill(last4);
      await page.getByLabel(L('Expiry month')).fill('12');
      await page.getByLabel(L('Expiry year')).fill('2030');
    };

    test(`${++n}. ${c.lang}: Care opens the change from Initech's page`, async () => {
      await navigate(page, () => page.goto('/staff/accounts'));
      await navigate(page, () => page.getByRole('link', { name: 'Initech', exact: true }).first().click());
      await navigate(page, () => page.getByRole('link', { name: L('Change billing administrator') }).click());
      assert.match(pathOf(page), /^\/staff\/accounts\/\d+\/billing-admin$/);
      await checkPage(page, `care-${c.lang}-01-verify`, { lang: c.lang });
    });

    test(`${++n}. ${c.lang}: a caller with the wrong card is not verified`, async () => {
      await fillCard('1111');
      await page.getByLabel(L('The cardholder'), { exact: true }).check();
      await page.getByLabel(L("Cardholder's name, as the caller gives it")).fill('peter gibbons');
      const resp = await navigate(page, () => page.getByRole('button', { name: L('Verify') }).click());
      assert.equal(resp.status(), 200);
      await checkPage(page, `care-${c.lang}-02-not-verified`, { lang: c.lang });
      const text = await mainText(page);
      assert.ok(text.includes(L('not verified')));
      assert.ok(!text.includes('4242'), 'the card on file is never shown');
      assert.equal(await page.locator('dd[data-ok="1"]').count(), 1, 'the person was verified');
      assert.equal(await page.locator('dd[data-ok="0"]').count(), 1, 'the card was not');
    });

    test(`${++n}. ${c.lang}: a registered administrator with the right card is verified, then the change`, async () => {
      await fillCard('4242');
      await page.getByLabel(L('A registered administrator of the account')).check();
      await page.getByLabel(L('Registered administrator'), { exact: true })
        .selectOption({ label: 'Samir Nagheenanajar (it@initech.example)' });
      let resp = await navigate(page, () => page.getByRole('button', { name: L('Verify') }).click());
      assert.equal(resp.status(), 200);
      await checkPage(page, `care-${c.lang}-03-verified`, { lang: c.lang });
      assert.equal(await page.locator('dd[data-ok="1"]').count(), 2);
      await page.getByLabel(c.newAdmin).check();
      resp = await navigate(page, () =>
        page.getByRole('button', { name: L('Change billing administrator') }).click());
      assert.equal(resp.status(), 200);
      assert.match(pathOf(page), /^\/staff\/accounts\/\d+$/);
      await checkPage(page, `care-${c.lang}-04-changed`, { lang: c.lang });
      assert.ok((await mainText(page)).includes(
        L('The billing administrator has been changed. Both the former and the new administrator have been emailed.')));
      await navigate(page, () => page.getByRole('link', { name: L('Change billing administrator') }).click());
      assert.ok((await mainText(page)).includes(c.newEmail));
    });
  });
}
