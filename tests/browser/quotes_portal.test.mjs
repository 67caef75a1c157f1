// The Corporate Billing Portal's quotes (issue 11), in a browser: the Quotes tab (first, pending
// quotes before the history), a quote page with its print view, accepting in English by keyboard
// (refused input first: the messages tied to the fields, what was typed kept), rejecting in
// Italian (refused without a reason first), a phone-sized window; axe on every page. The quotes
// are the demo's (src/services/demo.c): Acme one sent and one expired, Globex one sent in euros.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  newPage,
  checkPage,
  navigate,
  tr,
  signInAs,
  stubWindowPrint,
  printCalls,
  horizontalOverflow,
  startServerAndBrowser,
  stopServerAndBrowser,
  pathOf,
  mainText,
} from './harness.mjs';

const ACME = 'acme-billing';
const GLOBEX = 'ap@globex.example';
// The terms of DESIGN.md, given verbatim.
const QUOTES = { en: 'Quotes', it: 'Preventivi' };

let server;
let browser;
before(async () => ({ server, browser } = await startServerAndBrowser('quotes_portal')));
after(() => stopServerAndBrowser(server, browser));

// The Quotes tab, clicked; returns the quote numbers linked in the pending and history tables.
async function openQuotesTab(page, lang, shot) {
  const tabs = page.locator('nav.tabs a');
  assert.equal(await tabs.first().getAttribute('href'), '/corporate/quotes', 'Quotes is the first tab');
  assert.equal((await tabs.first().innerText()).trim(), QUOTES[lang]);
  const resp = await navigate(page, () => tabs.first().click());
  assert.equal(resp.status(), 200);
  assert.equal(pathOf(page), '/corporate/quotes');
  await checkPage(page, shot, { lang });
  assert.equal(await page.locator('h1').innerText(), QUOTES[lang]);
  const numbers = async (section) => page.locator(`section[aria-labelledby="${section}"] tbody th a`).allInnerTexts();
  return { pending: await numbers('pending-quotes'), history: await numbers('quote-history') };
}

// Where the keyboard focus is: the id (or the text of a button).
const focused = (page) => page.evaluate(() => {
  const e = document.activeElement;
  return e?.id || e?.textContent?.trim() || e?.tagName;
});

describe('quotes in the Corporate Billing Portal', () => {
  let acmeQuote;

  test('1. en: the Quotes tab comes first and lists the pending quote before the history', async () => {
    const page = await newPage(browser, server);
    await signInAs(page, 'corporate', ACME);
    const { pending, history } = await openQuotesTab(page, 'en', 'quotes-en-list');
    assert.equal(pending.length, 1, 'one pending quote');
    assert.ok(history.length >= 1, 'the expired quote is in the history');
    acmeQuote = pending[0];
    const text = await mainText(page);
    assert.ok(text.indexOf('Pending quotes') < text.indexOf(acmeQuote));
    assert.ok(text.indexOf(acmeQuote) < text.indexOf('Quote history'));
    assert.ok(text.indexOf('Quote history') < text.indexOf(history[0]));
    assert.match(text, /Expired/);
    await page.context().close();
  });

  test('2. en: the quote page, its print view, refused input, then accepted by keyboard', async () => {
    const page = await newPage(browser, server);
    await stubWindowPrint(page);
    await signInAs(page, 'corporate', ACME);
    let resp = await navigate(page, () => page.goto('/corporate/quotes'));
    resp = await navigate(page, () => page.getByRole('link', { name: acmeQuote, exact: true }).click());
    assert.equal(resp.status(), 200);
    await checkPage(page, 'quotes-en-quote', { lang: 'en' });
    const text = await mainText(page);
    for (const s of [`Quote ${acmeQuote}`, 'Valid until', 'Your sales representative', 'Bill To',
      'Add 15 seats of RescueAssist for the rest of the term', 'Illinois sales tax 6.25%',
      'Total due on acceptance', 'Annual amount from the next renewal on']) {
      assert.ok(text.includes(s), `the quote page says "${s}"`);
    }
    // Print: the button appears with the script and prints; the forms are not printed.
    await page.getByRole('button', { name: 'Print' }).click();
    assert.equal(await printCalls(page), 1);
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('section.decide').first().isVisible(), false, 'no forms on paper');
    await page.emulateMedia({ media: 'screen' });
    assert.equal(await page.getByRole('link', { name: 'Download PDF' }).getAttribute('href'),
      `/corporate/quotes/${acmeQuote}/pdf`);

    // Keyboard: the accept form's fields in order, from "Your name".
    await page.getByLabel('Your name').focus();
    const order = [await focused(page)];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      order.push(await focused(page));
    }
    assert.deepEqual(order, ['name', 'title', 'po_number', 'accept_terms', 'Confirm acceptance']);

    // Refused: no job title, the box not ticked; the PO typed stays.
    await page.getByLabel('Purchase order number (optional)').fill('PO-KEY-1');
    resp = await navigate(page, () => page.keyboard.press('Enter'));
    assert.equal(resp.status(), 400);
    await checkPage(page, 'quotes-en-refused', { lang: 'en' });
    const refused = await mainText(page);
    assert.ok(refused.includes('The quote was not accepted. Check the fields marked below.'));
    assert.ok(refused.includes('Tick the box to accept the terms of this quote.'));
    assert.equal(await page.getByLabel('Purchase order number (optional)').inputValue(), 'PO-KEY-1');
    assert.equal(await page.getByLabel('Job title').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Job title').getAttribute('aria-describedby'), 'title-error');
    assert.equal(await page.locator('#accept_terms').getAttribute('aria-describedby'), 'accept_terms-error');

    // Accepted, by keyboard only.
    await page.getByLabel('Job title').focus();
    await page.keyboard.type('Controller');
    await page.keyboard.press('Tab'); // PO number, kept
    await page.keyboard.press('Tab'); // the box
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'Confirm acceptance');
    resp = await navigate(page, () => page.keyboard.press('Enter'));
    assert.equal(resp.status(), 200);
    assert.equal(pathOf(page), `/corporate/quotes/${acmeQuote}`);
    await checkPage(page, 'quotes-en-accepted', { lang: 'en' });
    const done = await mainText(page);
    const m = done.match(/Thank you: the quote has been accepted and invoice (INV-\d{4}-\d{6}) has been issued/);
    assert.ok(m, `the notice names the invoice: ${done.slice(0, 300)}`);
    assert.equal(await page.getByRole('link', { name: 'View the invoice' }).getAttribute('href'),
      `/corporate/invoices/${m[1]}`);
    assert.equal(await page.locator('form[action^="/corporate/quotes/"]').count(), 0, 'no buttons any more');
    assert.ok(done.includes('PO-KEY-1'), 'the PO typed is on the quote');

    // A phone: nothing wider than the window.
    await page.setViewportSize({ width: 390, height: 844 });
    assert.deepEqual(await horizontalOverflow(page), { extra: 0, elements: [] });
    await page.context().close();
  });

  test('3. it: Globex rejects its quote, after a refusal without a reason', async () => {
    const page = await newPage(browser, server);
    await signInAs(page, 'corporate', GLOBEX, { lang: 'it' });
    const { pending } = await openQuotesTab(page, 'it', 'quotes-it-list');
    assert.equal(pending.length, 1);
    const number = pending[0];
    let resp = await navigate(page, () => page.getByRole('link', { name: number, exact: true }).click());
    assert.equal(resp.status(), 200);
    await checkPage(page, 'quotes-it-quote', { lang: 'it' });
    const text = await mainText(page);
    for (const s of [`Preventivo ${number}`, 'Valido fino al', 'Fatturare a', 'IVA 22',
      tr('it', 'Total due on acceptance'), 'Rifiuta questo preventivo']) {
      assert.ok(text.includes(s), `the Italian page says "${s}"`);
    }
    // Refused: no reason chosen; the comment typed stays.
    await page.getByLabel(tr('it', 'Comment (optional)')).fill('Ne riparliamo a gennaio');
    resp = await navigate(page, () => page.getByRole('button', { name: tr('it', 'Reject quote') }).click());
    assert.equal(resp.status(), 400);
    await checkPage(page, 'quotes-it-refused', { lang: 'it' });
    assert.ok((await mainText(page)).includes('Scegli un motivo.'));
    assert.equal(await page.getByLabel(tr('it', 'Comment (optional)')).inputValue(), 'Ne riparliamo a gennaio');
    assert.equal(await page.getByLabel(tr('it', 'Reason')).getAttribute('aria-invalid'), 'true');
    // Done.
    await page.getByLabel(tr('it', 'Reason')).selectOption({ label: tr('it', 'The timing') });
    resp = await navigate(page, () => page.getByRole('button', { name: tr('it', 'Reject quote') }).click());
    assert.equal(resp.status(), 200);
    await checkPage(page, 'quotes-it-rejected', { lang: 'it' });
    const done = await mainText(page);
    assert.ok(done.includes('Il preventivo è stato rifiutato.'), done.slice(0, 300));
    assert.ok(done.includes('Questo preventivo è stato rifiutato il'));
    assert.equal(await page.locator('form[action^="/corporate/quotes/"]').count(), 0);
    await page.context().close();
  });
});
