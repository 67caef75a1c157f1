// Purchase orders and the Payment Method tab of the Corporate Billing Portal, in English (Acme,
// USD) and Italian (Globex, EUR): adding a purchase order whose dates overlap another is refused
// with the typed values kept, then fixed, edited and removed; choosing direct debit with a refused
// routing number or IBAN keeps what was typed, and a good save shows the bank number masked only.
// The staff console shows the changes in the account's audit log. axe and a screenshot on every
// page.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  newPage,
  testNow,
  checkPage,
  navigate,
  tr,
  signInAs,
  startServerAndBrowser,
  stopServerAndBrowser,
  pathOf,
  norm,
  mainText,
  assertInViewport,
  checkStackedTable,
} from './harness.mjs';

const ACME = 'acme-billing';
const GLOBEX = 'ap@globex.example';
const POS = '/corporate/purchase-orders';
const PAY = '/corporate/payment-method';
const MASK = '\u2022\u2022\u2022\u2022';
const Y = testNow().getUTCFullYear();

let server;
let browser;
before(async () => ({ server, browser } = await startServerAndBrowser('po-payment')));
after(() => stopServerAndBrowser(server, browser));

const fmt = (s, ...args) => args.reduce((acc, a) => acc.replace('%s', a), s);

// Opens a tab of the top navigation; its page must answer 200 with the expected h1.
async function openTab(page, href, h1, shot, lang) {
  const tab = page.locator(`nav.tabs a[href="${href}"]`);
  assert.equal(await tab.count(), 1, `one tab linking to ${href}`);
  const resp = await navigate(page, () => tab.click());
  assert.equal(resp.status(), 200, `GET ${href}`);
  assert.equal(pathOf(page), href);
  await checkPage(page, shot, { lang });
  assert.equal(await page.locator(`nav.tabs a[href="${href}"]`).getAttribute('aria-current'), 'page');
  assert.equal(norm(await page.locator('h1').innerText()).trim(), h1, `h1 "${h1}"`);
}

// The row of the purchase-order table whose number cell reads number (or null).
async function poRow(page, number) {
  const rows = await page.locator('table.pos tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    number: tr.querySelector('th')?.textContent.trim(),
    cells: Array.from(tr.children).map((c) => c.textContent.replace(/[\u00a0\u202f]/g, ' ').trim()),
  })));
  return rows.find((r) => r.number === number) ?? null;
}

const FLOWS = [
  { lang: 'en', user: ACME, currency: 'USD', amount: '$1,250.00', amount2: '$12.50',
    terms: null },
  { lang: 'it', user: GLOBEX, currency: 'EUR', amount: '1.250,00 €', amount2: '12,50 €',
    // DESIGN.md's terms, given verbatim.
    terms: { payment: 'Metodo di pagamento', save: 'Salva', expiration: 'data di scadenza',
      po: "ordin" } },
];

let n = 0;

for (const f of FLOWS) {
  const L = (s) => tr(f.lang, s);
  const shot = (name) => `po-payment-${f.lang}-${name}`;
  const first = `PO-${f.lang.toUpperCase()}-1`;
  const second = `PO-${f.lang.toUpperCase()}-2`;

  describe(`purchase orders (${f.lang}, ${f.user})`, () => {
    let page;
    before(async () => { page = await newPage(browser, server); });
    after(async () => { await page?.context().close(); });

    // Fills the add (or edit) form through its labels.
    async function fill(v) {
      if (v.number !== undefined) await page.getByLabel(L('Purchase order number'), { exact: true }).fill(v.number);
      if (v.amount !== undefined) await page.getByLabel(L('Amount (optional)'), { exact: true }).fill(v.amount);
      if (v.start !== undefined) await page.getByLabel(L('Start date'), { exact: true }).fill(v.start);
      if (v.end !== undefined) await page.getByLabel(L('Expiration date'), { exact: true }).fill(v.end);
    }
    const submit = (name) => navigate(page, () =>
      page.locator('form.po-form').getByRole('button', { name, exact: true }).click());

    test(`${++n}. ${f.lang}: the "${L('Purchase orders')}" tab lists the purchase orders and an add form`, async () => {
      await signInAs(page, 'corporate', f.user, { lang: f.lang });
      await openTab(page, POS, L('Purchase orders'), shot('01-list'), f.lang);
      if (f.user === ACME) {
        const demo = await poRow(page, 'PO-4500012345');
        assert.ok(demo, 'the demo purchase order is listed');
        assert.ok(demo.cells.includes(L('In force')), `it is in force: ${JSON.stringify(demo.cells)}`);
        assert.ok(demo.cells.includes('—'), 'no amount: a dash');
      }
      for (const t of ['date']) {
        assert.equal(await page.getByLabel(L('Start date'), { exact: true }).getAttribute('type'), t);
        assert.equal(await page.getByLabel(L('Expiration date'), { exact: true }).getAttribute('type'), t);
      }
      const hint = norm(await page.locator('#amount-hint').innerText());
      assert.ok(hint.includes(f.currency), `the amount's hint names ${f.currency}: "${hint}"`);
    });

    test(`${++n}. ${f.lang}: adding ${first} saves it and lists it with its amount`, async () => {
      await fill({ number: first, amount: '1250.00', start: `${Y + 2}-01-01`, end: `${Y + 2}-12-31` });
      const resp = await submit(L('Add purchase order'));
      assert.equal(resp.status(), 200);
      assert.equal(new URL(page.url()).search, '?saved=1');
      await checkPage(page, shot('02-added'), { lang: f.lang });
      assert.equal(norm(await page.getByRole('status').innerText()).trim(), L('The purchase order has been saved.'));
      const row = await poRow(page, first);
      assert.ok(row, `${first} is listed`);
      assert.ok(row.cells.includes(f.amount), `amount ${f.amount} in ${JSON.stringify(row.cells)}`);
    });

    test(`${++n}. ${f.lang}: overlapping dates are refused; the form keeps what was typed`, async () => {
      const typed = { number: second, amount: '12.50', start: `${Y + 2}-06-01`, end: `${Y + 3}-05-31` };
      await fill(typed);
      const resp = await submit(L('Add purchase order'));
      assert.equal(resp.status(), 400, 'refused: 400');
      await checkPage(page, shot('03-overlap-refused'), { lang: f.lang });
      const alert = norm(await page.getByRole('alert').innerText());
      assert.ok(alert.includes(L('The purchase order was not added. Check the fields marked below.')), alert);
      const end = page.getByLabel(L('Expiration date'), { exact: true });
      assert.equal(await end.getAttribute('aria-invalid'), 'true');
      // Marked like any refused field: a 2 px border in the error colour.
      const border = await end.evaluate((el) => {
        const cs = getComputedStyle(el);
        return [cs.borderTopWidth, cs.borderTopColor, getComputedStyle(document.querySelector('.field-error')).color];
      });
      assert.deepEqual(border.slice(0, 2), ['2px', border[2]], 'the refused date has a 2 px red border');
      const described = await end.evaluate((el) => el.getAttribute('aria-describedby')
        .split(' ').map((id) => document.getElementById(id).textContent).join(' '));
      assert.ok(norm(described).includes(L('These dates overlap another purchase order: only one can be in force on any day.')),
        `the expiration date's message: "${described}"`);
      assert.equal(await page.getByLabel(L('Purchase order number'), { exact: true }).inputValue(), typed.number);
      assert.equal(await page.getByLabel(L('Amount (optional)'), { exact: true }).inputValue(), typed.amount);
      assert.equal(await page.getByLabel(L('Start date'), { exact: true }).inputValue(), typed.start);
      assert.equal(await end.inputValue(), typed.end);
      assert.equal(await poRow(page, second), null, 'nothing was added');
    });

    test(`${++n}. ${f.lang}: moving the start past the other purchase order saves it`, async () => {
      await fill({ start: `${Y + 3}-01-01` });
      const resp = await submit(L('Add purchase order'));
      assert.equal(resp.status(), 200);
      assert.equal(new URL(page.url()).search, '?saved=1');
      const row = await poRow(page, second);
      assert.ok(row && row.cells.includes(f.amount2), `${second} with ${f.amount2}: ${JSON.stringify(row?.cells)}`);
    });

    test(`${++n}. ${f.lang}: "${L('Edit')}" opens ${second} prefilled; saving a new expiration date`, async () => {
      const link = page.getByRole('link', { name: fmt(L('Edit purchase order %s'), second), exact: true });
      assert.equal(await link.count(), 1);
      const resp = await navigate(page, () => link.click());
      assert.equal(resp.status(), 200);
      await checkPage(page, shot('04-edit'), { lang: f.lang });
      assert.equal(await page.getByLabel(L('Purchase order number'), { exact: true }).inputValue(), second);
      // The stored amount comes back with the reader's decimal mark, as the hint writes it.
      assert.equal(await page.getByLabel(L('Amount (optional)'), { exact: true }).inputValue(),
        f.lang === 'en' ? '12.50' : '12,50');
      assert.equal(await page.getByLabel(L('Expiration date'), { exact: true }).inputValue(), `${Y + 3}-05-31`);
      // An expiration date before the start is refused, the typed date kept.
      await fill({ end: `${Y + 2}-12-01` });
      const refused = await submit(L('Save'));
      assert.equal(refused.status(), 400);
      await checkPage(page, shot('05-edit-refused'), { lang: f.lang });
      assert.ok(norm(await mainText(page)).includes(L('The expiration date cannot be before the start date.')));
      assert.equal(await page.getByLabel(L('Expiration date'), { exact: true }).inputValue(), `${Y + 2}-12-01`);
      await fill({ end: `${Y + 3}-06-30` });
      const saved = await submit(L('Save'));
      assert.equal(saved.status(), 200);
      assert.equal(pathOf(page), POS);
      const row = await poRow(page, second);
      assert.ok(row, `${second} still listed`);
    });

    test(`${++n}. ${f.lang}: "${L('Remove')}" removes ${second}`, async () => {
      const btn = page.getByRole('button', { name: fmt(L('Remove purchase order %s'), second), exact: true });
      assert.equal(await btn.count(), 1);
      const resp = await navigate(page, () => btn.click());
      assert.equal(resp.status(), 200);
      assert.equal(new URL(page.url()).search, '?removed=1');
      await checkPage(page, shot('06-removed'), { lang: f.lang });
      assert.equal(norm(await page.getByRole('status').innerText()).trim(), L('The purchase order has been removed.'));
      assert.equal(await poRow(page, second), null);
      assert.ok(await poRow(page, first), `${first} stays`);
    });

    if (f.terms) {
      test(`${++n}. ${f.lang}: the labels use DESIGN.md's terms`, async () => {
        const label = (await page.locator('label[for=end_date]').innerText()).toLowerCase();
        assert.ok(label.includes(f.terms.expiration), `the expiration date label "${label}" says "${f.terms.expiration}"`);
        const h1 = (await page.locator('h1').innerText()).toLowerCase();
        assert.ok(h1.includes(f.terms.po), `the h1 "${h1}" speaks of ordini d'acquisto`);
      });
    }
  });
}

// ---- Payment Method -----------------------------------------------------------------------------

const PAY_FLOWS = [
  { lang: 'en', user: ACME, bad: { routing: '123456789' }, good: { routing: '011000015' },
    fields: { holder: 'Acme Corporation', routing: '123456789', account: '123456789' },
    badField: 'routing', badMessage: 'This is not a valid routing number (ABA): check its nine digits with your bank.',
    masked: `${MASK} 6789`, full: ['123456789'] },
  { lang: 'it', user: GLOBEX, bad: { iban: 'IT61 X030 6909 6061 0000 0012 354' },
    good: { iban: 'IT61 X030 6909 6061 0000 0012 345' },
    fields: { holder: 'Globex Italia S.p.A.', iban: 'IT61 X030 6909 6061 0000 0012 354' },
    badField: 'iban', badMessage: 'Enter a valid IBAN, such as DE89 3704 0044 0532 0130 00.',
    masked: `${MASK} 2345`, full: ['IT61X0306909606100000012345', 'IT61 X030 6909 6061 0000 0012 345'],
    terms: { payment: 'Metodo di pagamento', save: 'Salva' } },
  { lang: 'en', user: GLOBEX, bad: { iban: 'DE44 5001 0517 5407 3249 13' },
    good: { iban: 'de44 5001 0517 5407 3249 31' },
    fields: { holder: 'Globex Italia S.p.A.', iban: 'DE44 5001 0517 5407 3249 13' },
    badField: 'iban', badMessage: 'Enter a valid IBAN, such as DE89 3704 0044 0532 0130 00.',
    masked: `${MASK} 4931`, full: ['DE44500105175407324931', '5407 3249 31', '5407324931'] },
];

for (const f of PAY_FLOWS) {
  const L = (s) => tr(f.lang, s);
  const tag = `${f.lang}-${f.user === ACME ? 'acme' : 'globex'}`;
  const shot = (name) => `po-payment-pay-${tag}-${name}`;
  const labels = { holder: 'Account holder', routing: 'Routing number (ABA)', account: 'Account number', iban: 'IBAN' };

  describe(`payment method (${f.lang}, ${f.user})`, () => {
    let page;
    before(async () => { page = await newPage(browser, server); });
    after(async () => { await page?.context().close(); });

    // The bank-detail inputs of the direct debit choice, found by their labels in it.
    const dd = () => page.locator('fieldset.debit');
    const input = (name) => dd().getByLabel(L(labels[name]), { exact: true });
    const save = () => navigate(page, () =>
      page.locator('form.payment-form').getByRole('button', { name: L('Save'), exact: true }).click());

    test(`${++n}. ${f.lang}: the "${L('Payment Method')}" tab offers four ways to pay`, async () => {
      await signInAs(page, 'corporate', f.user, { lang: f.lang });
      await openTab(page, PAY, L('Payment Method'), shot('01-page'), f.lang);
      const group = page.getByRole('group', { name: L('How do you want to pay?'), exact: true });
      assert.equal(await group.count(), 1, 'a fieldset named by its legend');
      const radios = group.getByRole('radio');
      assert.equal(await radios.count(), 4);
      for (const label of ['Electronic payment / wire transfer', 'Check by mail',
        'Direct debit / ACH / recurring bank debit', 'Credit or debit card']) {
        assert.equal(await page.getByRole('radio', { name: L(label), exact: true }).count(), 1, `radio "${L(label)}"`);
      }
      const text = await mainText(page);
      assert.ok(text.includes(L('Quote the invoice number with every payment.')));
      assert.ok(text.includes('Lockbox 4411'), "the vendor's mailing address for checks");
      assert.ok(text.includes('COBADEFFXXX'), "the vendor's bank details for wire transfers");
      // Both fieldsets look like the app's cards (not the browser's grey groove), and Save stands
      // clear of the one above it.
      const look = await page.evaluate(() => {
        const style = (el) => { const cs = getComputedStyle(el); return [cs.borderTopStyle, cs.borderTopColor, cs.borderTopLeftRadius]; };
        const form = document.querySelector('form.payment-form');
        const choices = form.querySelector('fieldset.choices');
        return {
          card: style(document.querySelector('section.card')),
          fieldsets: Array.from(form.querySelectorAll('fieldset')).map(style),
          gap: form.querySelector('button[type=submit]').getBoundingClientRect().top - choices.getBoundingClientRect().bottom,
        };
      });
      assert.equal(look.fieldsets.length, 2);
      for (const fs of look.fieldsets) assert.deepEqual(fs, look.card, 'a fieldset is bordered like a card');
      assert.ok(look.gap >= 8, `Save is ${look.gap} px below the fieldset`);
    });

    test(`${++n}. ${f.lang}: direct debit with a refused ${f.badField} keeps what was typed`, async () => {
      await page.getByRole('radio', { name: L('Direct debit / ACH / recurring bank debit'), exact: true }).check();
      for (const [name, value] of Object.entries(f.fields)) await input(name).fill(value);
      await page.getByLabel(L('I accept the direct debit mandate'), { exact: true }).check();
      const resp = await save();
      assert.equal(resp.status(), 400);
      await checkPage(page, shot('02-refused'), { lang: f.lang });
      assert.ok(norm(await page.getByRole('alert').first().innerText()).includes(
        L('Your payment method was not saved. Check the fields marked below.')));
      const bad = input(f.badField);
      assert.equal(await bad.getAttribute('aria-invalid'), 'true');
      assert.ok(norm(await dd().innerText()).includes(L(f.badMessage)), `message "${L(f.badMessage)}"`);
      for (const [name, value] of Object.entries(f.fields)) {
        assert.equal(await input(name).inputValue(), value, `${name} keeps "${value}"`);
      }
      assert.ok(await page.getByRole('radio', { name: L('Direct debit / ACH / recurring bank debit'), exact: true }).isChecked());
      assert.ok(await page.getByLabel(L('I accept the direct debit mandate'), { exact: true }).isChecked());
    });

    test(`${++n}. ${f.lang}: a good save shows the bank number masked, never in full`, async () => {
      for (const [name, value] of Object.entries(f.good)) await input(name).fill(value);
      const resp = await save();
      assert.equal(resp.status(), 200);
      assert.equal(pathOf(page), PAY);
      assert.equal(new URL(page.url()).search, '?saved=1');
      await checkPage(page, shot('03-saved'), { lang: f.lang });
      assert.equal(norm(await page.getByRole('status').innerText()).trim(), L('Your payment method has been saved.'));
      const current = norm(await page.locator('section.current').innerText());
      assert.ok(current.includes(f.masked), `the saved number shows as "${f.masked}": ${current}`);
      const html = await page.content();
      const ours = html.replace(/000123456789/g, ''); // the vendor's own account, shown for wires
      for (const full of f.full) assert.ok(!ours.includes(full), `"${full}" is not on the page`);
      for (const name of Object.keys(f.fields)) {
        if (name !== 'holder') assert.equal(await input(name).inputValue(), '', `${name} is not prefilled`);
      }
      assert.ok(await page.getByRole('radio', { name: L('Direct debit / ACH / recurring bank debit'), exact: true }).isChecked());
    });

    if (f.terms) {
      test(`${++n}. ${f.lang}: the tab, the heading and the button use DESIGN.md's terms`, async () => {
        assert.equal(norm(await page.locator(`nav.tabs a[href="${PAY}"]`).innerText()).trim(), f.terms.payment);
        assert.equal(norm(await page.locator('h1').innerText()).trim(), f.terms.payment);
        assert.equal(await page.locator('form.payment-form button[type=submit]').innerText(), f.terms.save);
      });
    }
  });
}

// ---- staff console: the audit log -----------------------------------------------------------------

test(`${++n}. staff: the account page shows the audit log of these changes, bank data masked`, async () => {
  const page = await newPage(browser, server);
  try {
    await signInAs(page, 'staff', 'cas@vendor.example');
    await navigate(page, () => page.goto('/staff/accounts'));
    const link = page.getByRole('link', { name: 'Acme Corporation', exact: true });
    await navigate(page, () => link.first().click());
    await checkPage(page, 'po-payment-staff-audit', { lang: 'en' });
    const log = page.locator('table.audit-log');
    assert.equal(await log.count(), 1, 'an audit log table');
    const text = norm(await log.innerText());
    for (const words of ['Purchase order added', 'Purchase order changed', 'Purchase order removed',
      'Payment method changed', `${MASK} 6789`, 'PO-EN-1', 'Billing contact (acme-billing)']) {
      assert.ok(text.includes(words), `the audit log shows "${words}"`);
    }
    assert.ok(!text.includes('123456789'), 'no full account number in the audit log');

    // On a phone each entry is a card: every field of the first entries in sight.
    await page.setViewportSize({ width: 390, height: 844 });
    await checkPage(page, 'po-payment-staff-audit-phone', { lang: 'en' });
    await checkStackedTable(page, 'table.audit-log', 'the audit log');
    const entries = page.locator('table.audit-log tbody tr');
    assert.ok(await entries.count() >= 3, 'audit entries');
    for (let i = 0; i < 3; i++) {
      for (let col = 0; col < 6; col++) {
        await assertInViewport(page, entries.nth(i).locator('td').nth(col), `entry ${i + 1}, column ${col + 1}`);
      }
    }
    const phoneText = norm(await log.innerText());
    assert.ok(phoneText.includes(`${MASK} 6789`), 'the masked bank account shows on the phone');
  } finally {
    await page.context().close();
  }
});
