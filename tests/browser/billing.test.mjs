// Billing Center: a member sees who the billing administrator is and can email them; the admin
// sees the account page. English and French.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  newPage,
  checkPage,
  switchLanguage,
  navigate,
  signOut,
  labelOf,
  tr,
  mailFiles,
  waitForNewEmail,
  DEMO_PASSWORD,
  startServerAndBrowser,
  stopServerAndBrowser,
} from './harness.mjs';

const MEMBER = 'user@initech.example';
const ADMIN = 'owner@initech.example';
const BUTTON_EN = 'Email billing administrator';

let server;
let browser;
before(async () => ({ server, browser } = await startServerAndBrowser('billing')));
after(() => stopServerAndBrowser(server, browser));

const path = (page) => new URL(page.url()).pathname;
const bodyText = (page) => page.locator('body').innerText();

async function signIn(page, lang, email, shotPrefix) {
  await navigate(page, () => page.goto('/billing'));
  if (lang !== 'en') await switchLanguage(page, lang);
  assert.equal(path(page), '/billing');
  await checkPage(page, `${shotPrefix}-01-sign-in`, { lang });
  const emailLabel = await labelOf(page, 'input[name=email]');
  const pwLabel = await labelOf(page, 'input[name=password]');
  await page.getByLabel(emailLabel, { exact: true }).fill(email);
  await page.getByLabel(pwLabel, { exact: true }).fill(DEMO_PASSWORD);
  const resp = await navigate(page, () =>
    page.locator('form[action="/billing/sign-in"]').getByRole('button').click());
  assert.equal(resp.status(), 200);
  assert.equal(path(page), '/billing/account', `${email} lands on /billing/account`);
  await checkPage(page, `${shotPrefix}-02-account`, { lang });
}

let n = 0;
for (const lang of ['en', 'fr']) {
  const button = tr(lang, BUTTON_EN);
  describe(`billing center (${lang})`, () => {
    test(`${++n}. ${lang}: a member sees the billing administrator and "${button}"; the email reaches ${ADMIN}`, async () => {
      const page = await newPage(browser, server);
      try {
        await signIn(page, lang, MEMBER, `billing-${lang}-member`);
        const text = await bodyText(page);
        assert.ok(text.includes('Bill Lumbergh') && text.includes(ADMIN),
          `the page names the billing administrator (Bill Lumbergh, ${ADMIN}):\n${text}`);
        const btn = page.getByRole('button', { name: button, exact: true });
        assert.equal(await btn.count(), 1, `one button "${button}"`);
        if (lang !== 'en') assert.notEqual(button, BUTTON_EN, `"${BUTTON_EN}" is translated for ${lang}`);

        const msgLabel = await labelOf(page, 'textarea[name=message]');
        const textarea = page.getByLabel(msgLabel, { exact: true });
        assert.equal(await textarea.count(), 1, `the textarea is reachable by its label "${msgLabel}"`);
        const note = `Please renew our plan (${lang}) — merci.`;
        await textarea.fill(note);

        const before = mailFiles(server.mailDir);
        const resp = await navigate(page, () => btn.click());
        assert.equal(resp.status(), 200);
        await checkPage(page, `billing-${lang}-member-03-sent`, { lang });
        const sent = tr(lang, 'Your email was sent to %s.').replace('%s', 'Bill Lumbergh');
        assert.ok((await bodyText(page)).includes(sent), `the confirmation "${sent}" shows`);

        const mail = await waitForNewEmail(server.mailDir, before);
        assert.ok(mail.headers.to.includes(ADMIN), `To: ${mail.headers.to}`);
        // In the administrator's (the account's) language, English for Initech.
        assert.equal(mail.headers.subject, 'Message from Peter Gibbons about Initech');
        assert.ok((mail.headers['reply-to'] || '').includes(MEMBER), `Reply-To: ${mail.headers['reply-to']}`);
        assert.ok(mail.text.includes(note), `the email carries the member's message:\n${mail.text}`);

        await signOut(page);
        assert.equal(path(page), '/billing', 'sign-out lands on /billing');
        await checkPage(page, `billing-${lang}-member-04-signed-out`, { lang });
      } finally {
        await page.context().close();
      }
    });

    test(`${++n}. ${lang}: the billing administrator sees the account page, not the button`, async () => {
      const page = await newPage(browser, server);
      try {
        await signIn(page, lang, ADMIN, `billing-${lang}-admin`);
        assert.equal(await page.getByRole('button', { name: button, exact: true }).count(), 0,
          `no "${button}" button for the admin`);
        assert.equal(await page.locator('textarea[name=message]').count(), 0, 'no message form for the admin');
        assert.ok((await bodyText(page)).includes('Initech'), 'the account page names the account');
      } finally {
        await page.context().close();
      }
    });
  });
}
