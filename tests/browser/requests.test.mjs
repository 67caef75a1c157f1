// Requests (issue 14) in a browser, checked with axe on every page: Acme's billing contact files
// a request on the Requests tab (a refused one first), reads it and replies; Corporate Account
// Services find it in their queue, assign it, answer it, add an internal note and change its
// state; the same in Italian for Globex and the queue; and the Care Billing Form in Spanish.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchBrowser, newPage, checkPage, navigate, signInAs, mainText, pathOf,
} from './harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer('requests');
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

let number;

test('1. the Requests tab: a refused request, then one filed and its page', async () => {
  const page = await newPage(browser, server);
  await signInAs(page, 'corporate', 'acme-billing');
  await navigate(page, () => page.getByRole('link', { name: 'Requests', exact: true }).click());
  assert.equal(pathOf(page), '/corporate/requests');
  await checkPage(page, 'requests-01-tab', { lang: 'en' });
  const kind = page.getByLabel('Category and subcategory', { exact: true });
  const details = page.getByLabel('Details', { exact: true });
  await details.fill('Our auditors need your W-9.');
  let resp = await navigate(page, () => page.getByRole('button', { name: 'Submit' }).click());
  assert.equal(resp.status(), 400);
  await checkPage(page, 'requests-02-refused', { lang: 'en' });
  assert.equal(await kind.getAttribute('aria-invalid'), 'true');
  assert.equal(await details.inputValue(), 'Our auditors need your W-9.');
  await kind.selectOption('forms/vendor_forms');
  resp = await navigate(page, () => page.getByRole('button', { name: 'Submit' }).click());
  assert.equal(resp.status(), 200);
  const text = await mainText(page);
  const m = text.match(/Your request (REQ-\d{4}-\d{6}) has been sent/);
  assert.ok(m, text);
  number = m[1];
  await checkPage(page, 'requests-03-sent', { lang: 'en' });
  await navigate(page, () => page.getByRole('link', { name: 'View the request' }).click());
  assert.equal(pathOf(page), `/corporate/requests/${number}`);
  await checkPage(page, 'requests-04-request', { lang: 'en' });
  assert.ok((await mainText(page)).includes('Submitted'));
  await page.getByLabel('Your message', { exact: true }).fill('It is for the 2026 audit.');
  await navigate(page, () => page.getByRole('button', { name: 'Send reply' }).click());
  assert.ok((await mainText(page)).includes('It is for the 2026 audit.'));
  await checkPage(page, 'requests-05-replied', { lang: 'en' });
  await page.context().close();
});

test('2. the staff queue: assign, reply, internal note, state', async () => {
  const page = await newPage(browser, server);
  await signInAs(page, 'staff', 'cas@vendor.example');
  await navigate(page, () => page.getByRole('link', { name: 'Requests', exact: true }).click());
  await checkPage(page, 'requests-06-queue', { lang: 'en' });
  await page.getByLabel('Kind', { exact: true }).selectOption('forms/vendor_forms');
  await navigate(page, () => page.getByRole('button', { name: 'Filter' }).click());
  assert.ok((await mainText(page)).includes(number));
  await navigate(page, () => page.getByRole('link', { name: number }).click());
  await checkPage(page, 'requests-07-staff-request', { lang: 'en' });
  await navigate(page, () => page.getByRole('button', { name: 'Assign to me' }).click());
  assert.ok((await mainText(page)).includes('The request is assigned to you.'));
  await page.getByLabel('Message', { exact: true }).fill('Checking with finance first.');
  await navigate(page, () => page.getByRole('button', { name: 'Add internal note' }).click());
  assert.ok((await mainText(page)).includes('Internal note'));
  await page.getByLabel('Message', { exact: true }).fill('Here is our W-9.');
  await navigate(page, () => page.getByRole('button', { name: 'Reply to the customer' }).click());
  await page.getByLabel('New status', { exact: true }).selectOption('completed');
  await navigate(page, () => page.getByRole('button', { name: 'Change status' }).click());
  const text = await mainText(page);
  assert.ok(text.includes('Completed') && text.includes('Here is our W-9.'), text);
  await checkPage(page, 'requests-08-completed', { lang: 'en' });
  await page.context().close();
});

test('3. in Italian: Globex files a request, the queue reads in Italian', async () => {
  const page = await newPage(browser, server);
  await signInAs(page, 'corporate', 'ap@globex.example', { lang: 'it' });
  await navigate(page, () => page.getByRole('link', { name: 'Richieste', exact: true }).click());
  await checkPage(page, 'requests-09-tab-it', { lang: 'it' });
  await page.getByLabel('Categoria e sottocategoria', { exact: true })
    .selectOption('subscription/seats_products');
  await page.getByLabel('Dettagli', { exact: true }).fill('Dieci postazioni in più.');
  await navigate(page, () => page.getByRole('button', { name: 'Invia', exact: true }).click());
  assert.match(await mainText(page), /La tua richiesta REQ-\d{4}-\d{6} è stata inviata/);
  await checkPage(page, 'requests-10-sent-it', { lang: 'it' });
  await page.context().close();
  const staff = await newPage(browser, server);
  await signInAs(staff, 'staff', 'cas@vendor.example', { lang: 'it' });
  await navigate(staff, () => staff.goto('/staff/requests'));
  await checkPage(staff, 'requests-11-queue-it', { lang: 'it' });
  assert.ok((await mainText(staff)).includes('Coda di Corporate Account Services'));
  await staff.context().close();
});

test('4. the Care Billing Form in Spanish, from the sign-in page', async () => {
  const page = await newPage(browser, server);
  await navigate(page, () => page.goto('/billing'));
  await navigate(page, () => page.getByRole('link', { name: 'Contact Customer Care' }).click());
  assert.equal(pathOf(page), '/care');
  await checkPage(page, 'requests-12-care', { lang: 'en' });
  await navigate(page, () => page.getByRole('link', { name: 'Español', exact: true }).click());
  await page.getByLabel('Su nombre', { exact: true }).fill('Ana Pérez');
  await page.getByLabel('Correo electrónico', { exact: true }).fill('ana@example.com');
  await page.getByLabel('Tema', { exact: true }).selectOption('billing_contact');
  await page.getByLabel('Detalles', { exact: true }).fill('Cambiar el contacto de facturación.');
  await navigate(page, () => page.getByRole('button', { name: 'Enviar' }).click());
  assert.match(await mainText(page), /Su solicitud REQ-\d{4}-\d{6} se ha enviado/);
  await checkPage(page, 'requests-13-care-sent-es', { lang: 'es' });
  await page.context().close();
});
