// The staff quote builder: a sales rep opens Acme, makes a new quote, adds lines, previews the
// totals, corrects refused input, sends it; then the read-only quote, the open quotes page, and
// the whole builder used from the keyboard alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchBrowser, newPage, checkPage, navigate, signInAs, mainText, pathOf, labelOf,
} from './harness.mjs';

let server;
let browser;
let page;
before(async () => {
  server = await startServer('quotes-staff');
  browser = await launchBrowser();
  page = await newPage(browser, server);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

// A field of the builder by its label (which must exist and be tied to it).
async function field(selector) {
  return page.getByLabel(await labelOf(page, selector), { exact: true }).and(page.locator(selector));
}

// Chooses the option of a select whose text matches re.
async function choose(selector, re) {
  const el = await field(selector);
  const value = await el.evaluate(
    (sel, src) => [...sel.options].find((o) => new RegExp(src).test(o.text))?.value, re.source);
  assert.ok(value, `${selector} offers an option matching ${re}`);
  await el.selectOption(value);
}

const saveAndPreview = () =>
  navigate(page, () => page.getByRole('button', { name: 'Save and preview' }).click());

let number;

test('1. the rep opens Acme, sees its quotes and makes a new one', async () => {
  await signInAs(page, 'staff', 'rep@vendor.example');
  await navigate(page, () => page.getByRole('link', { name: 'Accounts', exact: true }).click());
  await navigate(page, () => page.getByRole('link', { name: 'Acme Corporation' }).click());
  await checkPage(page, 'quotes-staff-01-account', { lang: 'en' });
  const quotes = page.locator('section[aria-labelledby=quotes]');
  const text = await quotes.innerText();
  assert.match(text, /Sent/, 'the sent demo quote is listed with its state');
  assert.match(text, /Expired/, 'the expired demo quote is listed with its state');
  const resp = await navigate(page, () => quotes.getByRole('button', { name: 'New quote' }).click());
  assert.equal(resp.status(), 200);
  const m = pathOf(page).match(/^\/staff\/quotes\/(Q-\d{4}-\d{6})$/);
  assert.ok(m, `the builder of the new quote opens: ${pathOf(page)}`);
  number = m[1];
  await checkPage(page, 'quotes-staff-02-new-draft', { lang: 'en' });
  assert.ok((await mainText(page)).includes('A new draft quote has been created.'));
  assert.equal(await (await field('#payment_terms')).inputValue(), '30', 'Net 30 by default');
});

test('2. refused input comes back as typed, with the reasons beside the fields', async () => {
  await (await field('#l1_kind')).selectOption('add_seats');
  await choose('#l1_subscription', /RescueAssist/);
  await (await field('#l1_seats')).fill('fifteen');
  await (await field('#l1_discount_kind')).selectOption('percent');
  await (await field('#l1_discount')).fill('110');
  const resp = await saveAndPreview();
  assert.equal(resp.status(), 400);
  await checkPage(page, 'quotes-staff-03-refused', { lang: 'en' });
  const text = await mainText(page);
  assert.ok(text.includes('Nothing was saved. Check the fields marked below.'), text);
  assert.equal(await page.locator('#l1_seats').inputValue(), 'fifteen');
  assert.equal(await page.locator('#l1_discount').inputValue(), '110');
  assert.equal(await page.locator('#l1_seats').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#l1_discount').getAttribute('aria-invalid'), 'true');
  // The message is tied to its field (read with it by a screen reader).
  const described = await page.locator('#l1_seats').getAttribute('aria-describedby');
  assert.ok(described?.includes('l1_seats-error'), described);
  assert.ok((await page.locator('#l1_seats-error').innerText()).includes('whole number'));
});

test('3. two lines saved: the preview shows the amounts due now and the new annual amount', async () => {
  await (await field('#l1_seats')).fill('15');
  await (await field('#l1_discount')).fill('10');
  await (await field('#l2_kind')).selectOption('add_product');
  await choose('#l2_plan', /GoToMeeting/);
  await (await field('#l2_seats')).fill('3');
  await (await field('#customer_note')).fill('Prices as agreed on our call.');
  const resp = await saveAndPreview();
  assert.equal(resp.status(), 200);
  await checkPage(page, 'quotes-staff-04-preview', { lang: 'en' });
  const preview = await page.locator('section[aria-labelledby=preview]').innerText();
  assert.match(preview, /Add seats: RescueAssist/);
  assert.match(preview, /Add a product: GoToMeeting/);
  assert.match(preview, /Due now, with tax\s*\$[\d,]+\.\d\d/);
  assert.match(preview, /New annual amount from the next renewal\s*\$[\d,]+\.\d\d/);
  assert.equal(await page.locator('#l1_seats').inputValue(), '15', 'the saved line is shown');
  assert.equal(await page.locator('#l3_seats').inputValue(), '', 'an empty row for a new line');
});

test('4. the builder on a phone: nothing wider than the window, fields stacked', async () => {
  await page.setViewportSize({ width: 375, height: 800 });
  await checkPage(page, 'quotes-staff-05-phone', { lang: 'en' });
  await page.setViewportSize({ width: 1024, height: 768 });
});

test('5. sent: the quote reads only, with Withdraw, Revise and the acceptance form', async () => {
  const resp = await navigate(page, () =>
    page.getByRole('button', { name: 'Send to the billing contact' }).click());
  assert.equal(resp.status(), 200);
  assert.equal(pathOf(page), `/staff/quotes/${number}`);
  await checkPage(page, 'quotes-staff-06-sent', { lang: 'en' });
  const text = await mainText(page);
  assert.ok(text.includes('The quote has been sent to the billing contact.'), text);
  assert.equal(await page.locator('#l1_seats').count(), 0, 'no builder any more');
  for (const name of ['Revise', 'Withdraw', 'Record acceptance']) {
    assert.equal(await page.getByRole('button', { name, exact: true }).count(), 1, name);
  }
  assert.equal(await page.getByRole('button', { name: 'Send to the billing contact' }).count(), 0);
});

test('6. the open quotes page lists it with the others, soonest to expire first', async () => {
  await navigate(page, () => page.getByRole('link', { name: 'Quotes', exact: true }).click());
  assert.equal(pathOf(page), '/staff/quotes');
  await checkPage(page, 'quotes-staff-07-open', { lang: 'en' });
  const rows = page.locator('table.open-quotes tbody tr');
  assert.ok(await rows.count() >= 3);
  assert.ok((await mainText(page)).includes(number));
});

test('7. from the keyboard alone: a new quote, a line, save and preview', async () => {
  await navigate(page, () => page.goto('/staff/accounts'));
  await navigate(page, () => page.getByRole('link', { name: 'Acme Corporation' }).click());
  await page.getByRole('button', { name: 'New quote' }).focus();
  await navigate(page, () => page.keyboard.press('Enter'));
  assert.match(pathOf(page), /^\/staff\/quotes\/Q-/);
  // Tab reaches the first line's kind; every field on the way is a form control.
  await page.locator('#internal_note').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'l1_kind');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'l1_subscription');
  await page.keyboard.press('ArrowDown'); // the first subscription
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'l1_seats');
  await page.keyboard.type('2');
  // Enter in a text field submits the form: the default button is "Save and preview".
  await page.locator('#l1_kind').focus();
  await page.keyboard.press('ArrowDown'); // Add seats
  await page.locator('#l1_seats').focus();
  const resp = await navigate(page, () => page.keyboard.press('Enter'));
  assert.equal(resp.status(), 200);
  assert.ok((await mainText(page)).includes('The draft has been saved.'));
  assert.equal(await page.locator('#l1_seats').inputValue(), '2');
  await checkPage(page, 'quotes-staff-08-keyboard', { lang: 'en' });
});

// The preview's text once it shows something other than `old` (the live preview answered).
async function previewChangedFrom(old) {
  const body = page.locator('#quote-preview-body');
  await page.waitForFunction(
    (prev) => document.getElementById('quote-preview-body').innerText !== prev, old);
  return (await body.innerText()).replace(/[\u00a0\u202f]/g, ' ');
}

const dueWithTax = (text) => text.match(/Due now, with tax\s*(\$[\d,]+\.\d\d)/)?.[1];

test('8. the preview follows the form as it is typed, and saves nothing', async () => {
  await navigate(page, () => page.goto('/staff/accounts'));
  await navigate(page, () => page.getByRole('link', { name: 'Acme Corporation' }).click());
  await navigate(page, () => page.getByRole('button', { name: 'New quote' }).click());
  const path = pathOf(page);
  await (await field('#l1_kind')).selectOption('add_seats');
  await choose('#l1_subscription', /RescueAssist/);
  await (await field('#l1_seats')).fill('5');
  await saveAndPreview();
  const region = page.locator('#quote-preview-body');
  assert.equal(await region.getAttribute('aria-live'), 'polite');
  const saved = (await region.innerText()).replace(/[\u00a0\u202f]/g, ' ');
  const savedTotal = dueWithTax(saved);
  assert.ok(savedTotal, saved);
  const savedPrice = await page.locator('#l1_price').inputValue();

  // Typing, no button pressed: the page stays (the marker survives), the totals change.
  await page.evaluate(() => { window.__notReloaded = true; });
  await (await field('#l1_seats')).fill('12');
  await (await field('#l1_price')).fill('1000.00');
  let shown = await previewChangedFrom(saved);
  // Two edits, each maybe answered: wait for the answer to the last one (12 seats at $1,000).
  if (!shown.includes('$12,000.00')) shown = await previewChangedFrom(shown);
  assert.match(shown, /Add seats: RescueAssist\s+12\s+\$1,000\.00/, shown);
  assert.match(shown, /\$12,000\.00/, shown);
  const typedTotal = dueWithTax(shown);
  assert.ok(typedTotal && typedTotal !== savedTotal, `${savedTotal} -> ${typedTotal}`);
  assert.match(shown, /nothing is saved until you press "Save and preview"/);
  assert.equal(await page.evaluate(() => window.__notReloaded), true, 'no page load');
  assert.equal(pathOf(page), path);
  await checkPage(page, 'quotes-staff-09-live-preview', { lang: 'en' });

  // Refused input: the reason in the preview, linked to the field, what was typed kept.
  await (await field('#l1_seats')).fill('twelve');
  shown = await previewChangedFrom(shown);
  assert.match(shown, /Line 1, Seats\s*:\s*Enter a whole number, such as 15\./, shown);
  assert.doesNotMatch(shown, /Due now/);
  assert.equal(await page.locator('#l1_seats').inputValue(), 'twelve');
  await checkPage(page, 'quotes-staff-10-live-preview-refused', { lang: 'en' });
  await region.getByRole('link', { name: 'Line 1, Seats' }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'l1_seats');

  // Opened again (the address without the link's #l1_seats): the draft as saved, 5 seats and
  // the saved total.
  await navigate(page, () => page.goto(path));
  assert.equal(await page.locator('#l1_seats').inputValue(), '5');
  assert.equal(await page.locator('#l1_price').inputValue(), savedPrice);
  const again = (await region.innerText()).replace(/[\u00a0\u202f]/g, ' ');
  assert.equal(dueWithTax(again), savedTotal, again);
  assert.doesNotMatch(again, /\$12,000\.00/);
});
