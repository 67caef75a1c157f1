// Staff sign-in: the home page shows the signed-in person's name, email and role.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchBrowser, newPage, checkPage, navigate, signOut, labelOf, switchLanguage, tr,
  DEMO_PASSWORD,
} from './harness.mjs';

const STAFF = 'cas@vendor.example';

let server;
let browser;
let page;
before(async () => {
  server = await startServer('staff');
  browser = await launchBrowser();
  page = await newPage(browser, server);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const path = () => new URL(page.url()).pathname;
const bodyText = () => page.locator('body').innerText();

async function submit(email, password) {
  await page.getByLabel(await labelOf(page, 'input[name=email]'), { exact: true }).fill(email);
  await page.getByLabel(await labelOf(page, 'input[name=password]'), { exact: true }).fill(password);
  return navigate(page, () => page.locator('form[action="/staff/sign-in"]').getByRole('button').click());
}

test('1. the staff sign-in page has labelled fields and no axe violations', async () => {
  const resp = await navigate(page, () => page.goto('/staff'));
  assert.equal(resp.status(), 200);
  await checkPage(page, 'staff-01-sign-in', { lang: 'en' });
});

test('2. a wrong password shows "Invalid email/password" and keeps the email', async () => {
  const resp = await submit(STAFF, 'not-the-password');
  assert.equal(resp.status(), 401);
  await checkPage(page, 'staff-02-wrong-password', { lang: 'en' });
  assert.ok((await bodyText()).includes('Invalid email/password'), 'the message shows');
  assert.equal(await page.locator('input[name=email]').inputValue(), STAFF, 'the email is kept');
  assert.equal(await page.locator('input[name=password]').inputValue(), '', 'the password is empty');
});

test(`3. ${STAFF} signs in and sees name, email and role`, async () => {
  const resp = await submit(STAFF, DEMO_PASSWORD);
  assert.equal(resp.status(), 200);
  assert.equal(path(), '/staff/home');
  await checkPage(page, 'staff-03-home', { lang: 'en' });
  const text = await bodyText();
  assert.ok(text.includes(STAFF), `the email shows:\n${text}`);
  assert.ok(text.includes('Carlos Álvarez'), `the name shows:\n${text}`);
  assert.ok(text.includes('Corporate Account Services'), `the role shows:\n${text}`);
});

test('4. sign out returns to the staff sign-in and ends the session', async () => {
  await signOut(page);
  assert.equal(path(), '/staff');
  await checkPage(page, 'staff-04-signed-out', { lang: 'en' });
  await navigate(page, () => page.goto('/staff/home'));
  assert.equal(path(), '/staff', '/staff/home without a session goes to sign-in');
});

test('5. in French: the sign-in page, the refusal with the email kept, the role in French', async () => {
  await navigate(page, () => page.goto('/staff'));
  await switchLanguage(page, 'fr');
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  assert.equal(await page.locator('h1').count(), 1, 'one heading');
  await checkPage(page, 'staff-05-fr-sign-in', { lang: 'fr' });
  let resp = await submit(STAFF, 'not-the-password');
  assert.equal(resp.status(), 401);
  await checkPage(page, 'staff-06-fr-wrong-password', { lang: 'fr' });
  assert.ok((await bodyText()).includes(tr('fr', 'Invalid email/password')), 'the message in French');
  assert.equal(await page.locator('input[name=email]').inputValue(), STAFF, 'the email is kept');
  resp = await submit(STAFF, DEMO_PASSWORD);
  assert.equal(resp.status(), 200);
  assert.equal(path(), '/staff/home');
  await checkPage(page, 'staff-07-fr-home', { lang: 'fr' });
  const text = await bodyText();
  assert.ok(text.includes(tr('fr', 'Corporate Account Services')), `the role in French:\n${text}`);
  assert.ok(text.includes('Carlos Álvarez'), 'the name shows');
  await signOut(page);
  assert.equal(path(), '/staff');
});
