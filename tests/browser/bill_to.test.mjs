// Bill To → Edit → Save and the invoice recipients in the Corporate Billing Portal: English on
// Acme (a US address) and Spanish, chosen with the switcher, on Globex (an Italian address). A
// refused form keeps what was typed and shows each message next to its field; a good save
// returns to the account page with a notice; recipients are added, refused and removed.
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
  assertInViewport,
  checkStackedTable,
} from './harness.mjs';

// The terms of DESIGN.md, given verbatim (not read from the .po files).
const TERMS = {
  en: { billTo: 'Bill To', address: 'Billing Address', edit: 'Edit', save: 'Save' },
  es: { billTo: 'Facturar a', address: 'Dirección de facturación', edit: 'Editar', save: 'Guardar' },
};

const CASES = [
  {
    lang: 'en',
    userId: 'acme-billing',
    country: 'United States',
    labels: { region: 'State', postal: 'ZIP code' },
    refused: { postal: '1234' },
    good: {
      line1: '200 Oak Avenue <Suite "B"> & Co', city: 'Chicago', region: 'IL', regionName: 'Illinois',
      postal: '60601-1234',
      phone: '+1 (312) 555-0188',
    },
    cityLine: 'Chicago, IL 60601-1234',
    recipient: { name: 'Pat <Lee>', email: 'pat.lee@acme.example' },
  },
  {
    lang: 'es',
    userId: 'ap@globex.example',
    country: 'Italia',
    labels: { region: 'Region or province (optional)', postal: 'Postal code' },
    refused: { postal: '2012' },
    good: {
      line1: 'Corso Buenos Aires 7 <Scala "C"> & Co', city: 'Milano', region: '', postal: '20124',
      phone: '+39 02 5550 9876',
    },
    cityLine: '20124 Milano',
    recipient: { name: 'Lucía <Ruiz>', email: 'lucia.ruiz@globex.example' },
  },
];

const MSG = {
  summary: 'Please correct the fields marked below.',
  required: 'This field is required.',
  phone: 'Enter a phone number of 7 to 20 digits; spaces, +, - and parentheses are allowed.',
  postal: "Enter a postal code in this country's format.",
  email: 'Enter an email address such as name@example.com.',
  duplicate: 'This address already receives the invoices.',
  saved: 'Your changes have been saved.',
  added: 'The recipient has been added.',
  removed: 'The recipient has been removed.',
};

let server;
let browser;
before(async () => ({ server, browser } = await startServerAndBrowser('bill-to')));
after(() => stopServerAndBrowser(server, browser));

const text = async (loc) => norm(await loc.innerText()).trim();

// The input labelled `label` (exactly one), asserted to exist.
async function field(page, label) {
  const f = page.getByLabel(label, { exact: true });
  assert.equal(await f.count(), 1, `one field labelled "${label}"`);
  return f;
}

// The message tied to a field (aria-describedby → .field-error), and the field marked invalid.
async function fieldMessage(page, label) {
  const f = await field(page, label);
  assert.equal(await f.getAttribute('aria-invalid'), 'true', `"${label}" is marked invalid`);
  const ids = ((await f.getAttribute('aria-describedby')) || '').split(/\s+/);
  const errId = ids.find((id) => id.endsWith('-error'));
  assert.ok(errId, `"${label}" is described by its error message`);
  return text(page.locator(`[id="${errId}"]`));
}

// Term checks run last, so that a missing translation does not hide the other failures.
function termChecker() {
  const problems = [];
  return {
    eq(got, want, what) { if (got !== want) problems.push(`${what}: got "${got}", want "${want}"`); },
    done() { assert.deepEqual(problems, [], 'the screens use the terms of DESIGN.md'); },
  };
}

let n = 0;
for (const c of CASES) {
  const { lang } = c;
  const T = TERMS[lang];
  const L = (s) => tr(lang, s);

  describe(`Bill To and invoice recipients (${lang})`, () => {
    let page;
    before(async () => {
      page = await newPage(browser, server);
      await signInAs(page, 'corporate', c.userId, { lang });
    });
    after(async () => { await page?.context().close(); });

    test(`${++n}. ${lang}: "${T.edit}" in the Bill To section opens the form, prefilled`, async () => {
      const terms = termChecker();
      await checkPage(page, `bill-to-${lang}-01-account`, { lang });
      const section = page.locator('section[aria-labelledby="bill-to"]');
      const edit = section.locator('a[href="/corporate/bill-to"]');
      assert.equal(await edit.count(), 1, 'one Edit link in the Bill To section');
      terms.eq(await text(section.locator('h2')), T.billTo, 'the account page\'s Bill To heading');
      terms.eq(await text(edit), T.edit, 'the Edit link');

      const resp = await navigate(page, () => edit.click());
      assert.equal(resp.status(), 200);
      assert.equal(pathOf(page), '/corporate/bill-to');
      await checkPage(page, `bill-to-${lang}-02-edit`, { lang });
      // Every field reachable by its label, prefilled; the country only shown.
      for (const label of ['Name', 'Email', 'Company name', 'Address line 1',
        'Address line 2 (optional)', 'City', c.labels.region, c.labels.postal, 'Phone']) {
        await field(page, L(label));
      }
      assert.ok((await (await field(page, L('Email'))).inputValue()).includes('@'), 'the email is prefilled');
      assert.equal(await page.locator('input[name=country], select[name=country]').count(), 0,
        'the country is not a field');
      assert.ok((await text(page.locator('main'))).includes(c.country), `the country "${c.country}" shows`);
      terms.eq(await text(page.locator('h1')), T.billTo, 'the edit page\'s h1');
      const legends = (await page.locator('legend').allInnerTexts()).map((s) => norm(s).trim());
      terms.eq(legends.includes(T.address) ? T.address : legends.join(' | '), T.address, 'the address legend');
      terms.eq(await text(page.locator('form[action="/corporate/bill-to"] button[type=submit]')),
        T.save, 'the save button');
      terms.done();
    });

    test(`${++n}. ${lang}: a refused form keeps what was typed and says what is wrong next to each field`, async () => {
      const typed = {
        [L('Name')]: 'Ana Pérez',
        [L('Address line 1')]: c.good.line1,
        [L('City')]: '',
        [L(c.labels.postal)]: c.refused.postal,
        [L('Phone')]: '12-34',
      };
      for (const [label, value] of Object.entries(typed)) await (await field(page, label)).fill(value);
      const resp = await navigate(page, () =>
        page.locator('form[action="/corporate/bill-to"] button[type=submit]').click());
      assert.equal(resp.status(), 400, 'a refused form answers 400');
      assert.equal(pathOf(page), '/corporate/bill-to');
      await checkPage(page, `bill-to-${lang}-03-refused`, { lang });
      assert.equal(await text(page.getByRole('alert')), L(MSG.summary), 'the summary at the top');
      assert.equal(await fieldMessage(page, L('City')), L(MSG.required));
      assert.equal(await fieldMessage(page, L(c.labels.postal)), L(MSG.postal));
      assert.equal(await fieldMessage(page, L('Phone')), L(MSG.phone));
      for (const [label, value] of Object.entries(typed)) {
        assert.equal(await (await field(page, label)).inputValue(), value, `"${label}" keeps what was typed`);
      }
      assert.equal(await (await field(page, L('Name'))).getAttribute('aria-invalid'), null,
        'a good field is not marked');
      // The message sits right above its field.
      const msgBox = await page.locator('[id="phone-error"]').boundingBox();
      const inputBox = await (await field(page, L('Phone'))).boundingBox();
      assert.ok(msgBox && inputBox && msgBox.y < inputBox.y && inputBox.y - msgBox.y < 80,
        'the phone message is next to the phone field');
    });

    test(`${++n}. ${lang}: a good save returns to the account page with a notice`, async () => {
      await (await field(page, L('City'))).fill(c.good.city);
      // Where the tax depends on it the state is chosen from a list (by its name, the code sent).
      const region = await field(page, L(c.labels.region));
      if (await region.evaluate((e) => e.tagName) === 'SELECT') {
        await region.selectOption({ label: c.good.regionName });
        assert.equal(await region.inputValue(), c.good.region, 'the state\'s code is what is sent');
        // Styled as the text fields around it, not the browser's small default list.
        const [listBox, cityBox] = [await region.boundingBox(), await (await field(page, L('City'))).boundingBox()];
        assert.ok(Math.abs(listBox.width - cityBox.width) < 2 && listBox.height > 0.8 * cityBox.height,
          `the state list is as wide and about as tall as the City field (${JSON.stringify([listBox, cityBox])})`);
      } else {
        await region.fill(c.good.region);
      }
      await (await field(page, L(c.labels.postal))).fill(c.good.postal);
      await (await field(page, L('Phone'))).fill(c.good.phone);
      const resp = await navigate(page, () =>
        page.locator('form[action="/corporate/bill-to"] button[type=submit]').click());
      assert.equal(resp.status(), 200);
      assert.equal(pathOf(page), '/corporate/account');
      await checkPage(page, `bill-to-${lang}-04-saved`, { lang });
      assert.equal(await text(page.getByRole('status')), L(MSG.saved));
      const billTo = await text(page.locator('section[aria-labelledby="bill-to"]'));
      for (const want of [c.good.line1, c.cityLine, c.good.phone, c.country]) {
        assert.ok(billTo.includes(want), `the Bill To shows "${want}":\n${billTo}`);
      }
      assert.ok((await text(page.locator('main'))).includes('Ana Pérez'), 'the new contact name shows');
      // Reloading shows the page again without posting anything.
      await navigate(page, () => page.reload());
      assert.equal(pathOf(page), '/corporate/account');
    });

    test(`${++n}. ${lang}: invoice recipients: refused, added, removed`, async () => {
      const link = page.locator('main a[href="/corporate/recipients"]');
      assert.equal(await link.count(), 1, 'the account page links to the recipients');
      let resp = await navigate(page, () => link.click());
      assert.equal(resp.status(), 200);
      await checkPage(page, `bill-to-${lang}-05-recipients`, { lang });
      assert.equal(await text(page.locator('h1')), L('Invoice recipients'));
      const rowsBefore = await page.locator('table.recipients tbody tr').count();
      const addButton = page.locator('form[action="/corporate/recipients"] button[type=submit]');

      // Refused: a bad email; the name typed stays.
      await (await field(page, L('Name'))).fill(c.recipient.name);
      await (await field(page, L('Email'))).fill('lucia@');
      resp = await navigate(page, () => addButton.click());
      assert.equal(resp.status(), 400);
      await checkPage(page, `bill-to-${lang}-06-recipient-refused`, { lang });
      assert.equal(await fieldMessage(page, L('Email')), L(MSG.email));
      assert.equal(await (await field(page, L('Name'))).inputValue(), c.recipient.name);
      assert.equal(await (await field(page, L('Email'))).inputValue(), 'lucia@');

      // Added.
      await (await field(page, L('Email'))).fill(c.recipient.email);
      resp = await navigate(page, () => addButton.click());
      assert.equal(resp.status(), 200);
      assert.equal(pathOf(page), '/corporate/recipients');
      await checkPage(page, `bill-to-${lang}-07-recipient-added`, { lang });
      assert.equal(await text(page.getByRole('status')), L(MSG.added));
      const rows = page.locator('table.recipients tbody tr');
      assert.equal(await rows.count(), rowsBefore + 1);
      const row = rows.filter({ hasText: c.recipient.email });
      assert.equal(await row.count(), 1, 'the new recipient has a row');
      assert.ok((await text(row)).includes(c.recipient.name), 'the row shows the name as typed');
      assert.equal(await (await field(page, L('Email'))).inputValue(), '', 'the add form is empty again');

      // The same address again, in capitals: refused.
      await (await field(page, L('Name'))).fill('Again');
      await (await field(page, L('Email'))).fill(c.recipient.email.toUpperCase());
      resp = await navigate(page, () => addButton.click());
      assert.equal(resp.status(), 400);
      assert.equal(await fieldMessage(page, L('Email')), L(MSG.duplicate));
      assert.equal(await rows.count(), rowsBefore + 1);

      // Removed, with the button named after the address.
      const remove = page.getByRole('button', { name: L('Remove %s').replace('%s', c.recipient.email), exact: true });
      assert.equal(await remove.count(), 1, 'one Remove button named after the address');
      resp = await navigate(page, () => remove.click());
      assert.equal(resp.status(), 200);
      await checkPage(page, `bill-to-${lang}-08-recipient-removed`, { lang });
      assert.equal(await text(page.getByRole('status')), L(MSG.removed));
      assert.equal(await page.locator('table.recipients tbody tr').count(), rowsBefore);
      assert.ok(!(await text(page.locator('main'))).includes(c.recipient.email), 'the address is gone');
    });

    test(`${++n}. ${lang}: on a phone (375 px wide) every settings page fits the window`, async () => {
      await page.setViewportSize({ width: 375, height: 800 });
      try {
        for (const [where, shot] of [['/corporate/account', 'account'], ['/corporate/bill-to', 'edit'],
          ['/corporate/recipients', 'recipients'], ['/corporate/purchase-orders', 'purchase-orders'],
          ['/corporate/payment-method', 'payment-method']]) {
          const resp = await navigate(page, () => page.goto(where));
          assert.equal(resp.status(), 200, where);
          await checkPage(page, `bill-to-${lang}-09-phone-${shot}`, { lang }); // no sideways scroll
        }

        // The recipients list shows each row's name, email and Remove button across the phone.
        await navigate(page, () => page.goto('/corporate/recipients'));
        const email = 'phone.reader@example.com';
        await (await field(page, L('Name'))).fill('Phone Reader');
        await (await field(page, L('Email'))).fill(email);
        let resp = await navigate(page, () =>
          page.locator('form[action="/corporate/recipients"] button[type=submit]').click());
        assert.equal(resp.status(), 200);
        await checkPage(page, `bill-to-${lang}-10-phone-recipients-list`, { lang });
        await checkStackedTable(page, 'table.recipients', 'the recipients');
        const rows = page.locator('table.recipients tbody tr');
        const count = await rows.count();
        assert.ok(count >= 1, 'recipients listed');
        for (let i = 0; i < count; i++) {
          for (const [cell, what] of [[0, 'name'], [1, 'email']]) {
            await assertInViewport(page, rows.nth(i).locator('td').nth(cell), `recipient ${i + 1}: the ${what}`);
          }
          const remove = rows.nth(i).getByRole('button', { name: L('Remove %s').replace('%s', '') });
          assert.equal(await remove.innerText(), L('Remove'));
          await assertInViewport(page, remove, `recipient ${i + 1}: the Remove button`);
        }
        const remove = page.getByRole('button', { name: L('Remove %s').replace('%s', email), exact: true });
        const buttonLook = (b) => b.evaluate((el) => {
          const cs = getComputedStyle(el);
          return [cs.color, cs.backgroundColor, cs.borderTopStyle, cs.borderTopColor, cs.borderTopLeftRadius];
        });
        const removeLook = await buttonLook(remove);
        resp = await navigate(page, () => remove.click());
        assert.equal(resp.status(), 200);
        assert.equal(await rows.count(), count - 1, 'removed from the phone');

        // Acme's purchase order: its number, dates, status and Edit and Remove across the phone.
        await navigate(page, () => page.goto('/corporate/purchase-orders'));
        if (c.userId === 'acme-billing') {
          await checkStackedTable(page, 'table.pos', 'the purchase orders');
          const po = page.locator('table.pos tbody tr').first();
          for (let i = 0; i < 5; i++) {
            await assertInViewport(page, po.locator('th, td').nth(i), `the purchase order's column ${i + 1}`);
          }
          await assertInViewport(page, po.getByRole('link', { name: L('Edit') }), 'Edit');
          await assertInViewport(page, po.getByRole('button', { name: L('Remove') }), 'Remove');
          assert.deepEqual(removeLook, await buttonLook(po.getByRole('button', { name: L('Remove') })),
            'Remove looks the same for a recipient and a purchase order');
        }
      } finally {
        await page.setViewportSize({ width: 1024, height: 768 });
      }
    });
  });
}
