// Invoice History and the printable invoice: Corporate Billing Portal in English, Spanish and
// Italian, the Billing Center (administrator yes, member no), the staff console, someone else's
// invoice (404), keyboard use, print view and PDF, and a phone-sized viewport.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  newPage,
  checkPage,
  screenshot,
  navigate,
  tr,
  signInAs,
  stubWindowPrint,
  printCalls,
  invoiceRows,
  horizontalOverflow,
  assertInViewport,
  checkStackedTable,
  startServerAndBrowser,
  stopServerAndBrowser,
  pathOf,
  norm,
  mainText,
  bodyText,
} from './harness.mjs';

const ACME = 'acme-billing';
const GLOBEX = 'ap@globex.example';
const OWNER = 'owner@initech.example';
const MEMBER = 'user@initech.example';
const STAFF = 'cas@vendor.example';

// The terms of DESIGN.md, given verbatim (not read from the .po files).
const TERMS = {
  en: { history: 'Invoice History', number: 'Invoice Number' },
  es: { history: 'Historial de facturas', number: 'Número de la factura' },
  it: { history: 'Cronologia fatture', number: 'Numero fattura' },
};

let server;
let browser;
before(async () => ({ server, browser } = await startServerAndBrowser('invoices')));
after(() => stopServerAndBrowser(server, browser));

const INVOICE_NO = /^INV-\d{4}-\d{6}$/;

// The Invoice History tab of the top navigation (the link to `base`), clicked; then its name
// and the page's h1 must be `label` (checked last, so that a missing translation does not stop
// the tests of the list below).
async function openHistoryTab(page, label, base, shot, lang) {
  const tab = page.locator(`nav.tabs a[href="${base}"]`);
  assert.equal(await tab.count(), 1, `one tab linking to ${base} in the top navigation`);
  const resp = await navigate(page, () => tab.click());
  assert.equal(resp.status(), 200, `GET ${base}`);
  assert.equal(pathOf(page), base, `the tab leads to ${base}`);
  await checkPage(page, shot, { lang });
  const current = page.locator(`nav.tabs a[href="${base}"]`);
  assert.equal(await current.getAttribute('aria-current'), 'page', 'the tab is marked as the current page');
  assert.equal(norm(await current.innerText()).trim(), label, `the tab reads "${label}"`);
  assert.equal(norm(await page.locator('h1').innerText()).trim(), label, `h1 "${label}"`);
  assert.ok((await page.title()).startsWith(label), `the title "${await page.title()}" starts with "${label}"`);
}

// The table's column headers, as shown.
async function columnHeaders(page) {
  return (await page.locator('table.invoices thead th').allInnerTexts()).map((t) => norm(t).trim());
}

// Rows: numbers well-formed, links to base/NUMBER and base/NUMBER/pdf, newest first.
function checkRows(rows, base, count, label) {
  assert.equal(rows.length, count, `${label}: ${count} invoices, got ${JSON.stringify(rows.map((r) => r.number))}`);
  for (const r of rows) {
    assert.match(r.number, INVOICE_NO, `${label}: invoice number "${r.number}"`);
    assert.equal(r.href, `${base}/${r.number}`, `${label}: the number links to its invoice`);
    assert.equal(r.pdfHref, `${base}/${r.number}/pdf`, `${label}: row ${r.number} has a PDF link`);
    assert.equal(r.pdfText, 'PDF', `${label}: the PDF link reads "PDF"`);
  }
  const numbers = rows.map((r) => r.number);
  assert.deepEqual(numbers, [...numbers].sort().reverse(), `${label}: newest first (by number)`);
  assert.equal(new Set(numbers).size, numbers.length, `${label}: no invoice listed twice`);
}

// English dates ("Dec 1, 2025") in the Date column, strictly decreasing.
function checkDatesDescending(rows, label) {
  const dates = rows.map((r) => Date.parse(r.cells[1]));
  assert.ok(dates.every((d) => !Number.isNaN(d)), `${label}: readable dates ${rows.map((r) => r.cells[1])}`);
  for (let i = 1; i < dates.length; i++) {
    assert.ok(dates[i - 1] > dates[i], `${label}: newest first by date: ${rows.map((r) => r.cells[1]).join(', ')}`);
  }
}

// Clicks the Invoice Number link of `row` and checks the invoice page in `lang`.
async function openInvoice(page, row, lang, shot, { billTo, userId } = {}) {
  const link = page.locator('table.invoices tbody th').getByRole('link', { name: row.number, exact: true });
  assert.equal(await link.count(), 1, `one link "${row.number}"`);
  const resp = await navigate(page, () => link.click());
  assert.equal(resp.status(), 200, `GET ${row.href}`);
  assert.equal(pathOf(page), row.href);
  await checkInvoicePage(page, row.number, lang, shot, { billTo, userId });
}

async function checkInvoicePage(page, number, lang, shot, { billTo, userId } = {}) {
  await checkPage(page, shot, { lang });
  assert.ok((await page.title()).includes(number), `the title "${await page.title()}" has ${number}`);
  const h1 = norm(await page.locator('h1').innerText());
  assert.ok(h1.includes(number), `the h1 "${h1}" has ${number}`);
  assert.ok(h1.includes(tr(lang, 'Invoice')), `the h1 "${h1}" says "${tr(lang, 'Invoice')}"`);
  const text = await mainText(page);
  for (const label of ['Bill To', 'Billing contact', 'Due date', 'Subtotal', 'Total', 'Balance due']) {
    assert.ok(text.includes(tr(lang, label)), `the invoice shows "${tr(lang, label)}":\n${text}`);
  }
  if (billTo) assert.ok(text.includes(billTo), `Bill To names ${billTo}`);
  if (userId) {
    const want = `${tr(lang, 'User ID')}: ${userId}`;
    assert.ok(text.includes(want), `the billing contact shows "${want}":\n${text}`);
  }
  const lines = page.locator('table.lines tbody tr');
  assert.ok(await lines.count() >= 1, 'at least one invoice line');
  const foot = norm(await page.locator('table.lines tfoot').innerText());
  // The tax rows sit between the subtotal and the total, each named as the country names the tax
  // ("Illinois sales tax 6.25%", "IVA 22%") with its rate.
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  assert.match(foot, new RegExp(`^${esc(tr(lang, 'Subtotal'))}\t[^\n]*\n([^\n]*%[^\n]*\n)+${esc(tr(lang, 'Total'))}\t`, 'm'),
    'a tax row with its rate between the subtotal and the total');
  // One "Download PDF" link to this invoice's PDF.
  const pdf = page.getByRole('link', { name: tr(lang, 'Download PDF'), exact: true });
  assert.equal(await pdf.count(), 1, `one "${tr(lang, 'Download PDF')}" link`);
  assert.equal(new URL(await pdf.getAttribute('href'), page.url()).pathname, `${pathOf(page)}/pdf`);
}

// GET of a PDF URL with the page's cookies: 200, application/pdf, body %PDF-.
async function checkPdfUrl(page, href, label) {
  const url = new URL(href, page.url()).toString();
  const r = await page.context().request.get(url, { maxRedirects: 0 });
  assert.equal(r.status(), 200, `${label}: GET ${href}`);
  assert.match(r.headers()['content-type'] || '', /^application\/pdf/, `${label}: content-type`);
  const body = await r.body();
  assert.equal(body.subarray(0, 5).toString('latin1'), '%PDF-', `${label}: the body starts with %PDF-`);
  assert.ok(body.subarray(-1024).toString('latin1').includes('%%EOF'), `${label}: the PDF ends with %%EOF`);
  return r;
}

// Clicks "Download PDF": the browser saves a .pdf file (Content-Disposition: attachment) and
// stays on the page.
async function clickDownloadPdf(page, lang) {
  const link = page.getByRole('link', { name: tr(lang, 'Download PDF'), exact: true });
  const href = await link.getAttribute('href');
  const url = new URL(href, page.url()).toString();
  const here = page.url();
  const respP = page.waitForResponse((r) => r.url() === url);
  const dlP = page.waitForEvent('download', { timeout: 10000 });
  await link.click();
  const resp = await respP;
  assert.equal(resp.status(), 200, `clicking "Download PDF": GET ${href}`);
  assert.match(resp.headers()['content-type'] || '', /^application\/pdf/, 'content-type application/pdf');
  assert.match(resp.headers()['content-disposition'] || '', /^attachment; filename="[^"]+\.pdf"$/,
    'Content-Disposition: attachment with a .pdf file name');
  const dl = await dlP;
  const body = fs.readFileSync(await dl.path());
  assert.match(dl.suggestedFilename(), /\.pdf$/, `the download is a .pdf (${dl.suggestedFilename()})`);
  assert.equal(body.subarray(0, 5).toString('latin1'), '%PDF-', 'the download starts with %PDF-');
  assert.ok(body.subarray(-1024).toString('latin1').includes('%%EOF'), 'the download is whole');
  assert.equal(page.url(), here, 'the page stays where it was');
}

let n = 0;

// ---- Corporate Billing Portal, English, Spanish, Italian --------------------------------------

const FLOWS = [
  { lang: 'en', user: ACME, billTo: 'Acme Corporation', count: 2 },
  { lang: 'es', user: ACME, billTo: 'Acme Corporation', count: 2 },
  { lang: 'it', user: GLOBEX, billTo: 'Globex Italia S.p.A.', count: 2, total: '7.808,00 €' },
];

for (const f of FLOWS) {
  const t = TERMS[f.lang];
  const base = '/corporate/invoices';
  describe(`corporate invoices (${f.lang}, ${f.user})`, () => {
    let page;
    let rows = [];
    before(async () => {
      page = await newPage(browser, server);
      await stubWindowPrint(page);
    });
    after(async () => { await page?.context().close(); });

    test(`${++n}. ${f.lang}: ${f.user} signs in; the "${t.history}" tab leads to the invoice list`, async () => {
      await signInAs(page, 'corporate', f.user, { lang: f.lang });
      await openHistoryTab(page, t.history, base, `invoices-corporate-${f.lang}-01-list`, f.lang);
    });

    test(`${++n}. ${f.lang}: the list shows ${f.count} invoices newest first, "${t.number}" links and a PDF link on each row`, async () => {
      rows = await invoiceRows(page);
      checkRows(rows, base, f.count, `${f.user} (${f.lang})`);
      if (f.lang === 'en') checkDatesDescending(rows, f.user);
      await checkPdfUrl(page, rows[0].pdfHref, `the list's PDF link of ${rows[0].number}`);
      if (f.total) {
        for (const r of rows) {
          assert.ok(r.cells.includes(f.total), `row ${r.number} shows the total as "${f.total}": ${JSON.stringify(r.cells)}`);
        }
      }
      // Text last, so that the rows above are known to the tests below even when it fails.
      const headers = await columnHeaders(page);
      assert.equal(headers[0], t.number, `first column "${t.number}", headers: ${JSON.stringify(headers)}`);
      const untranslated = [];
      for (const h of ['Date', 'Due date', 'Total', 'Balance due', 'Status']) {
        assert.ok(headers.includes(tr(f.lang, h)), `column "${tr(f.lang, h)}" in ${JSON.stringify(headers)}`);
        if (f.lang !== 'en' && h !== 'Total' && tr(f.lang, h) === h) untranslated.push(h);
      }
      const caption = norm(await page.locator('table.invoices caption').innerText()).trim();
      assert.equal(caption, tr(f.lang, 'Your most recent invoices, newest first'), 'the table caption');
      if (f.lang !== 'en' && caption === 'Your most recent invoices, newest first') untranslated.push(caption);
      const help = norm(await page.locator('main p.help').innerText()).trim();
      if (f.lang !== 'en' && help.startsWith('Select an Invoice Number')) untranslated.push(help);
      assert.deepEqual(untranslated, [], `shown in English on the ${f.lang} Invoice History page`);
    });

    test(`${++n}. ${f.lang}: clicking an invoice number opens the invoice (title, h1, Bill To, contact, lines, totals, due date)`, async () => {
      await openInvoice(page, rows[0], f.lang, `invoices-corporate-${f.lang}-02-invoice`,
        { billTo: f.billTo, userId: f.user });
      const text = await mainText(page);
      if (f.total) assert.ok(text.includes(f.total), `the invoice shows the total "${f.total}"`);
      if (f.lang === 'en') {
        assert.ok(text.includes('RescueAssist') && text.includes('GoToMeeting'), 'the lines name the products');
        assert.ok(text.includes('PO-4500012345'), "Acme's purchase order number shows");
      } else {
        // Everything on the invoice is in the chosen language (textContent: hidden captions too).
        const all = norm(await page.locator('main').textContent());
        const english = ['Print', 'Download PDF', 'Tax ID', 'Invoice lines', 'annual', 'monthly',
          'Bill To', 'Billing contact', 'Due date', 'Amount paid', 'Balance due', 'Unit price',
          'Service period', ...(f.lang === 'it' ? ['Subtotal'] : [])];
        const left = english.filter((w) => new RegExp(`\\b${w}\\b`).test(all));
        assert.deepEqual(left, [], `shown in English on the ${f.lang} invoice page`);
      }
    });

    test(`${++n}. ${f.lang}: the Print button shows (JavaScript on) and calls window.print`, async () => {
      const btn = page.getByRole('button', { name: tr(f.lang, 'Print'), exact: true });
      assert.equal(await btn.count(), 1, `one "${tr(f.lang, 'Print')}" button`);
      assert.ok(await btn.isVisible(), 'the Print button is visible');
      assert.equal(await printCalls(page), 0);
      await btn.click();
      assert.equal(await printCalls(page), 1, 'clicking Print called window.print once');
    });

    test(`${++n}. ${f.lang}: the print view hides header, footer and buttons, keeps the invoice`, async () => {
      await page.emulateMedia({ media: 'print' });
      try {
        await screenshot(page, `invoices-corporate-${f.lang}-03-print`);
        for (const sel of ['header.top', 'footer', '.actions', 'form.sign-out', 'nav.langs', 'nav.tabs']) {
          const loc = page.locator(sel);
          for (let i = 0; i < await loc.count(); i++) {
            assert.equal(await loc.nth(i).isVisible(), false, `"${sel}" is hidden in print`);
          }
        }
        assert.equal(await page.getByRole('button', { name: tr(f.lang, 'Print') }).isVisible(), false,
          'the Print button is hidden in print');
        assert.equal(await page.getByRole('link', { name: tr(f.lang, 'Download PDF') }).isVisible(), false,
          'the Download PDF link is hidden in print');
        assert.ok(await page.locator('article.invoice').isVisible(), 'the invoice prints');
        assert.ok(await page.locator('h1').isVisible(), 'the invoice title prints');
        assert.ok(await page.locator('table.lines').isVisible(), 'the invoice lines print');
        const text = norm(await page.locator('body').innerText());
        assert.ok(text.includes(f.billTo), 'Bill To prints');
        assert.ok(!text.includes(tr(f.lang, 'Need help?')), 'the footer does not print');
      } finally {
        await page.emulateMedia({ media: 'screen' });
      }
    });

    test(`${++n}. ${f.lang}: "${tr(f.lang, 'Download PDF')}" answers a PDF`, async () => {
      await clickDownloadPdf(page, f.lang);
    });
  });
}

// ---- keyboard ----------------------------------------------------------------------------------

test(`${++n}. keyboard: on Invoice History, Tab reaches the first Invoice Number link and Enter opens it`, async () => {
  const page = await newPage(browser, server);
  try {
    await signInAs(page, 'corporate', ACME);
    await navigate(page, () => page.goto('/corporate/invoices'));
    const rows = await invoiceRows(page);
    assert.ok(rows.length > 0);
    const seen = [];
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const el = document.activeElement;
        return { tag: el?.tagName, href: el?.getAttribute('href') || '', text: (el?.textContent || '').trim().slice(0, 30) };
      });
      seen.push(`${f.tag} ${f.href} ${f.text}`);
      reached = f.tag === 'A' && f.href === rows[0].href;
    }
    assert.ok(reached, `Tab never reached ${rows[0].number}; focus went:\n  ${seen.join('\n  ')}`);
    const visible = await page.evaluate(() => {
      const r = document.activeElement.getBoundingClientRect();
      const cs = getComputedStyle(document.activeElement);
      return r.width > 0 && r.height > 0 && (cs.outlineStyle !== 'none' || cs.boxShadow !== 'none');
    });
    assert.ok(visible, 'the focused link is visible and has a focus indicator');
    await screenshot(page, 'invoices-keyboard-01-focus');
    const resp = await navigate(page, () => page.keyboard.press('Enter'));
    assert.equal(resp.status(), 200);
    assert.equal(pathOf(page), rows[0].href, 'Enter opens the invoice');
    await checkInvoicePage(page, rows[0].number, 'en', 'invoices-keyboard-02-invoice',
      { billTo: 'Acme Corporation', userId: ACME });
  } finally {
    await page.context().close();
  }
});

// ---- without JavaScript ------------------------------------------------------------------------

test(`${++n}. JavaScript off: no Print button shows, "Download PDF" still does`, async () => {
  const context = await browser.newContext({
    baseURL: server.base, locale: 'en-US', viewport: { width: 1024, height: 768 }, javaScriptEnabled: false,
  });
  const page = await context.newPage();
  try {
    await signInAs(page, 'corporate', ACME);
    await navigate(page, () => page.goto('/corporate/invoices'));
    const rows = await invoiceRows(page);
    await navigate(page, () => page.goto(rows[0].href));
    assert.equal(await page.locator('button[data-print]').isVisible(), false, 'Print is hidden without JS');
    assert.ok(await page.getByRole('link', { name: 'Download PDF', exact: true }).isVisible(),
      'Download PDF shows without JS');
  } finally {
    await context.close();
  }
});

// ---- phone -------------------------------------------------------------------------------------

async function phonePage() {
  const page = await newPage(browser, server, { phone: true });
  await signInAs(page, 'corporate', ACME);
  await navigate(page, () => page.goto('/corporate/invoices'));
  return page;
}

test(`${++n}. phone (390x844): the Invoice History list fits the width, each row's Total and Status in sight`, async () => {
  const page = await phonePage();
  try {
    await screenshot(page, 'invoices-phone-01-list');
    assert.deepEqual(await horizontalOverflow(page), { extra: 0, elements: [] },
      'the list page is no wider than the phone');
    await checkPage(page, 'invoices-phone-01-list', { lang: 'en' });
    await checkStackedTable(page, 'table.invoices', 'Invoice History');
    const rows = page.locator('table.invoices tbody tr');
    const count = await rows.count();
    assert.ok(count >= 1, 'invoices listed');
    for (let i = 0; i < count; i++) {
      const cells = rows.nth(i).locator('th, td');
      // Columns: Invoice Number, Date, Due date, Total, Balance due, Status, PDF.
      await assertInViewport(page, cells.nth(0), `row ${i + 1}: the invoice number`);
      await assertInViewport(page, cells.nth(3), `row ${i + 1}: the Total`);
      assert.match(norm(await cells.nth(3).innerText()), /\$[\d,]+\.\d\d/, `row ${i + 1}: the Total shows an amount`);
      await assertInViewport(page, cells.nth(5), `row ${i + 1}: the Status`);
      assert.match(norm(await cells.nth(5).innerText()), /Open|Partially paid|Paid|Overdue|Void/, `row ${i + 1}: the Status shows`);
      await assertInViewport(page, cells.nth(6).getByRole('link'), `row ${i + 1}: the PDF link`);
    }
  } finally {
    await page.context().close();
  }
});

test(`${++n}. phone (390x844): the invoice page fits the width; every line's Amount and the Balance due in sight`, async () => {
  const page = await phonePage();
  try {
    const rows = await invoiceRows(page);
    await navigate(page, () => page.goto(rows[0].href));
    await screenshot(page, 'invoices-phone-02-invoice');
    assert.deepEqual(await horizontalOverflow(page), { extra: 0, elements: [] },
      'the invoice page is no wider than the phone');
    await checkPage(page, 'invoices-phone-02-invoice', { lang: 'en' });
    await checkStackedTable(page, 'table.lines', 'the invoice lines');
    const lines = page.locator('table.lines tbody tr');
    const count = await lines.count();
    assert.ok(count >= 1, 'invoice lines');
    for (let i = 0; i < count; i++) {
      // Columns: Product, Service period, Seats, Unit price, Amount.
      const amount = lines.nth(i).locator('td').nth(4);
      await assertInViewport(page, amount, `line ${i + 1}: the Amount`);
      assert.match(norm(await amount.innerText()), /\$[\d,]+\.\d\d/, `line ${i + 1}: the Amount shows`);
    }
    const foot = page.locator('table.lines tfoot tr');
    assert.equal(await foot.count(), 5, 'Subtotal, Tax, Total, Amount paid, Balance due');
    for (let i = 0; i < 5; i++) {
      await assertInViewport(page, foot.nth(i).locator('th'), `totals row ${i + 1}: its label`);
      await assertInViewport(page, foot.nth(i).locator('td'), `totals row ${i + 1}: its amount`);
    }
    const balance = foot.last();
    assert.equal(norm(await balance.locator('th').innerText()).trim(), 'Balance due');
    // The history's cell: the balance, then its "Pay now" link when a gateway is on (issue 12).
    assert.equal(norm(await balance.locator('td').innerText()).trim(),
      rows[0].cells[4].replace(/Pay now.*$/s, '').trim(),
      'the Balance due is the balance listed in the Invoice History');
  } finally {
    await page.context().close();
  }
});

// ---- Billing Center ----------------------------------------------------------------------------

test(`${++n}. Billing Center: ${OWNER} has an "Invoice History" tab with 6 invoices and opens one`, async () => {
  const page = await newPage(browser, server);
  await stubWindowPrint(page);
  try {
    await signInAs(page, 'billing', OWNER);
    await openHistoryTab(page, 'Invoice History', '/billing/invoices', 'invoices-billing-01-list', 'en');
    const rows = await invoiceRows(page);
    checkRows(rows, '/billing/invoices', 6, OWNER);
    checkDatesDescending(rows, OWNER);
    await openInvoice(page, rows[0], 'en', 'invoices-billing-02-invoice',
      { billTo: 'Initech' });
    const text = await mainText(page);
    assert.ok(text.includes('GoToMeeting (monthly)'), `a monthly GoToMeeting line:\n${text}`);
    await page.getByRole('button', { name: 'Print', exact: true }).click();
    assert.equal(await printCalls(page), 1, 'Print calls window.print');
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, 'invoices-billing-03-print');
    assert.equal(await page.locator('header.top').isVisible(), false, 'no header in print');
    await page.emulateMedia({ media: 'screen' });
    await clickDownloadPdf(page, 'en');
    // The tab stays current on the invoice page.
    const tab = page.locator('nav.tabs').getByRole('link', { name: 'Invoice History', exact: true });
    assert.equal(await tab.getAttribute('aria-current'), 'page');
  } finally {
    await page.context().close();
  }
});

test(`${++n}. Billing Center: the member ${MEMBER} has no Invoice History tab; /billing/invoices is 404`, async () => {
  const page = await newPage(browser, server);
  try {
    await signInAs(page, 'billing', MEMBER);
    await checkPage(page, 'invoices-billing-member-01-account', { lang: 'en' });
    assert.equal(await page.getByRole('link', { name: 'Invoice History' }).count(), 0,
      'no "Invoice History" link for a member');
    assert.equal(await page.locator('a[href^="/billing/invoices"]').count(), 0, 'no link to /billing/invoices');
    for (const url of ['/billing/invoices', '/billing/invoices/INV-2025-000001',
      '/billing/invoices/INV-2025-000001/pdf']) {
      const resp = await navigate(page, () => page.goto(url));
      assert.equal(resp.status(), 404, `GET ${url} as a member`);
      assert.equal((await page.locator('h1').innerText()).trim(), 'Page not found', `${url}: the 404 page`);
    }
    await checkPage(page, 'invoices-billing-member-02-404', { lang: 'en' });
  } finally {
    await page.context().close();
  }
});

// ---- staff -------------------------------------------------------------------------------------

test(`${++n}. staff: ${STAFF} opens Accounts, then Acme Corporation, sees its invoices and opens one`, async () => {
  const page = await newPage(browser, server);
  await stubWindowPrint(page);
  try {
    await signInAs(page, 'staff', STAFF);
    const tab = page.locator('nav.tabs').getByRole('link', { name: 'Accounts', exact: true });
    assert.equal(await tab.count(), 1, 'an "Accounts" tab');
    await navigate(page, () => tab.click());
    assert.equal(pathOf(page), '/staff/accounts');
    await checkPage(page, 'invoices-staff-01-accounts', { lang: 'en' });
    const acme = page.getByRole('link', { name: 'Acme Corporation', exact: true });
    assert.equal(await acme.count(), 1, 'one "Acme Corporation" link');
    const resp = await navigate(page, () => acme.click());
    assert.equal(resp.status(), 200);
    assert.match(pathOf(page), /^\/staff\/accounts\/\d+$/);
    await checkPage(page, 'invoices-staff-02-account', { lang: 'en' });
    assert.equal((await page.locator('h1').innerText()).trim(), 'Acme Corporation');
    const rows = await invoiceRows(page);
    checkRows(rows, '/staff/invoices', 2, 'staff view of Acme');
    checkDatesDescending(rows, 'staff view of Acme');
    await openInvoice(page, rows[0], 'en', 'invoices-staff-03-invoice',
      { billTo: 'Acme Corporation', userId: ACME });
    await page.getByRole('button', { name: 'Print', exact: true }).click();
    assert.equal(await printCalls(page), 1, 'Print calls window.print');
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, 'invoices-staff-04-print');
    assert.equal(await page.locator('header.top').isVisible(), false, 'no header in print');
    await page.emulateMedia({ media: 'screen' });
    await checkPdfUrl(page, rows[1].pdfHref, 'staff PDF');
    await clickDownloadPdf(page, 'en');
  } finally {
    await page.context().close();
  }
});

// ---- another account's invoice -----------------------------------------------------------------

test(`${++n}. ${GLOBEX} cannot open an Acme invoice: /corporate/invoices/<Acme number> is the 404 page`, async () => {
  const acme = await newPage(browser, server);
  const globex = await newPage(browser, server);
  try {
    await signInAs(acme, 'corporate', ACME);
    await navigate(acme, () => acme.goto('/corporate/invoices'));
    const acmeNumbers = (await invoiceRows(acme)).map((r) => r.number);
    assert.ok(acmeNumbers.length > 0);

    await signInAs(globex, 'corporate', GLOBEX);
    await navigate(globex, () => globex.goto('/corporate/invoices'));
    const own = (await invoiceRows(globex)).map((r) => r.number);
    assert.ok(own.length > 0);
    for (const num of acmeNumbers) assert.ok(!own.includes(num), `${num} is not in Globex's list`);

    const resp = await navigate(globex, () => globex.goto(`/corporate/invoices/${acmeNumbers[0]}`));
    assert.equal(resp.status(), 404, "Acme's invoice answers 404 to Globex");
    await checkPage(globex, 'invoices-other-account-01-404', { lang: 'en' });
    assert.equal((await globex.locator('h1').innerText()).trim(), 'Page not found');
    const text = await bodyText(globex);
    assert.ok(!text.includes('Acme Corporation') && !text.includes(ACME), 'nothing of Acme shows');

    const pdf = await globex.context().request.get(`${server.base}/corporate/invoices/${acmeNumbers[0]}/pdf`);
    assert.equal(pdf.status(), 404, "Acme's PDF answers 404 to Globex");
    assert.doesNotMatch(pdf.headers()['content-type'] || '', /pdf/, 'no PDF is sent');

    // Exactly like an invoice that does not exist.
    const none = await navigate(globex, () => globex.goto('/corporate/invoices/INV-1999-999999'));
    assert.equal(none.status(), 404, 'an unknown number answers 404');
    assert.equal((await globex.locator('h1').innerText()).trim(), 'Page not found');
  } finally {
    await acme.context().close();
    await globex.context().close();
  }
});

test(`${++n}. signed out, /corporate/invoices and an invoice PDF send back to sign-in`, async () => {
  const page = await newPage(browser, server);
  try {
    const resp = await navigate(page, () => page.goto('/corporate/invoices/INV-2025-000001'));
    assert.equal(resp.status(), 200);
    assert.equal(pathOf(page), '/corporate', 'redirected to the sign-in page');
    const r = await page.context().request.get(`${server.base}/corporate/invoices/INV-2025-000001/pdf`,
      { maxRedirects: 0 });
    assert.ok([302, 303, 401, 404].includes(r.status()), `the PDF is not sent (${r.status()})`);
    assert.doesNotMatch(r.headers()['content-type'] || '', /pdf/, 'no PDF is sent');
  } finally {
    await page.context().close();
  }
});
