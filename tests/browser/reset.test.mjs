// Password reset through the emailed link, in both portals that have one: the Corporate Billing
// Portal in English (acme-billing) and Italian (the Globex account, whose billing contact is
// ap@globex.example), and the Billing Center in English (the billing administrator) and Spanish
// (a member: both may reset their product login; the Initech account's emails are in English).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  newPage,
  checkPage,
  switchLanguage,
  navigate,
  labelOf,
  tr,
  mailFiles,
  waitForNewEmail,
  findResetLink,
  DEMO_PASSWORD,
  startServerAndBrowser,
  stopServerAndBrowser,
} from './harness.mjs';

const CORPORATE = {
  name: 'corporate', shot: 'reset', page: '/corporate', home: '/corporate/account', loginField: 'user_id',
  subject: 'Reset your Corporate Billing Portal password', unknown: 'no-such-user-here',
};
const BILLING = {
  name: 'billing', shot: 'billing-reset', page: '/billing', home: '/billing/account', loginField: 'email',
  subject: 'Reset your Billing Center password', unknown: 'no-such-user@initech.example',
};
const CASES = [
  {
    portal: CORPORATE, lang: 'en', login: 'acme-billing', to: 'jordan.smith@acme.example', account: 'Acme Corporation',
    mailLang: 'en', labels: { login: 'User ID', password: 'Password', signIn: 'Sign in', forgot: 'Forgot your password?' },
    newPassword: 'Correct-Horse-42',
  },
  {
    portal: CORPORATE, lang: 'it', login: 'ap@globex.example', to: 'ap@globex.example', account: 'Globex Italia S.p.A.',
    mailLang: 'it', labels: { login: 'ID utente', password: 'Password', signIn: 'Accedi', forgot: 'Password dimenticata?' },
    newPassword: 'Cavallo-Giusto-42',
  },
  {
    portal: BILLING, lang: 'en', login: 'owner@initech.example', to: 'owner@initech.example', account: 'Initech',
    mailLang: 'en', labels: { login: 'Email', password: 'Password', signIn: 'Sign in', forgot: 'Forgot your password?' },
    newPassword: 'Stapler-Red-42',
  },
  {
    portal: BILLING, lang: 'es', login: 'user@initech.example', to: 'user@initech.example', account: 'Initech',
    mailLang: 'en', labels: { login: 'Correo electrónico', password: 'Contraseña', signIn: 'Iniciar sesión', forgot: '¿Ha olvidado su contraseña?' },
    newPassword: 'Grapadora-Roja-42',
  },
];

let server;
let browser;
before(async () => ({ server, browser } = await startServerAndBrowser('reset')));
after(() => stopServerAndBrowser(server, browser));

const path = (page) => new URL(page.url()).pathname;
const bodyText = (page) => page.locator('body').innerText();

let n = 0;
for (const c of CASES) {
  const { portal, lang, labels } = c;
  const forgotPath = `${portal.page}/forgot`;
  const resetPath = `${portal.page}/reset`;
  const shot = (name) => `${portal.shot}-${lang}-${name}`;
  describe(`${portal.name} password reset (${lang})`, () => {
    let page;
    let link;
    before(async () => { page = await newPage(browser, server); });
    after(async () => { await page?.context().close(); });

    test(`${++n}. ${lang}: "${labels.forgot}" leads to the forgot-password form`, async () => {
      await navigate(page, () => page.goto(portal.page));
      if (lang !== 'en') await switchLanguage(page, lang);
      await checkPage(page, shot('01-sign-in'), { lang });
      await navigate(page, () => page.getByRole('link', { name: labels.forgot, exact: true }).click());
      assert.equal(path(page), forgotPath);
      await checkPage(page, shot('02-forgot'), { lang });
      assert.equal(await page.getByLabel(labels.login, { exact: true }).count(), 1,
        `the forgot form has a field labelled "${labels.login}"`);
    });

    test(`${++n}. ${lang}: submitting the ${portal.loginField} shows a confirmation and emails a reset link`, async () => {
      const before = mailFiles(server.mailDir);
      await page.getByLabel(labels.login, { exact: true }).fill(c.login);
      const resp = await navigate(page, () =>
        page.locator(`form[action="${forgotPath}"]`).getByRole('button').click());
      assert.equal(resp.status(), 200);
      await checkPage(page, shot('03-forgot-sent'), { lang });
      const checkEmail = tr(lang, 'Check your email');
      assert.equal((await page.locator('h1').innerText()).trim(), checkEmail, `h1 "${checkEmail}"`);
      const confirmation = await page.locator('main, body').first().innerText();
      assert.equal(await page.getByLabel(labels.login, { exact: true }).count(), 0,
        'the confirmation replaces the form');

      const mail = await waitForNewEmail(server.mailDir, before);
      // In the account's language, whatever the page's.
      const wantSubject = tr(c.mailLang, portal.subject);
      assert.equal(mail.headers.subject, wantSubject, 'reset email subject');
      if (c.mailLang !== 'en') {
        assert.notEqual(mail.headers.subject, portal.subject, `the subject is in the account's language (${c.mailLang})`);
      }
      assert.ok(mail.headers.to.includes(c.to), `reset email To: ${mail.headers.to}`);
      link = findResetLink(mail, server.base, portal.name);

      // An unknown login shows the very same confirmation (no account enumeration).
      const before2 = mailFiles(server.mailDir);
      await navigate(page, () => page.goto(forgotPath));
      await page.getByLabel(labels.login, { exact: true }).fill(portal.unknown);
      await navigate(page, () =>
        page.locator(`form[action="${forgotPath}"]`).getByRole('button').click());
      assert.equal(await page.locator('main, body').first().innerText(), confirmation,
        'same confirmation for an unknown login');
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(mailFiles(server.mailDir).filter((f) => !before2.includes(f)), [],
        'no email for an unknown login');
    });

    test(`${++n}. ${lang}: the link opens the reset form; a too-short password is refused, the form still works`, async () => {
      const resp = await navigate(page, () => page.goto(link));
      assert.equal(resp.status(), 200, `GET ${link}`);
      await checkPage(page, shot('04-reset-form'), { lang });
      const pwLabel = await labelOf(page, 'input[name=password]');
      const confirmLabel = await labelOf(page, 'input[name=password_confirm]');
      const pw = page.getByLabel(pwLabel, { exact: true });
      const confirm = page.getByLabel(confirmLabel, { exact: true });
      assert.equal(await pw.count(), 1, `field reachable by its label "${pwLabel}"`);
      assert.equal(await confirm.count(), 1, `field reachable by its label "${confirmLabel}"`);
      const token = new URL(link).searchParams.get('token');
      assert.equal(await page.locator('input[type=hidden][name=token]').inputValue(), token);

      const before = await bodyText(page);
      await pw.fill('short-1');
      await confirm.fill('short-1');
      const r2 = await navigate(page, () =>
        page.locator(`form[action="${resetPath}"]`).getByRole('button').click());
      assert.ok(r2.status() >= 400 && r2.status() < 500, `a too-short password answers 4xx, got ${r2.status()}`);
      await checkPage(page, shot('05-too-short'), { lang });
      const after = await bodyText(page);
      assert.notEqual(after, before, 'an error message shows');
      const tooShort = tr(lang, 'Use at least 10 characters.');
      assert.ok(after.includes(tooShort), `the error "${tooShort}" shows:\n${after}`);
      // The error is tied to the field for screen readers.
      const pwField = page.getByLabel(pwLabel, { exact: true });
      assert.equal(await pwField.getAttribute('aria-invalid'), 'true', 'the password field is aria-invalid');
      const describedBy = await pwField.getAttribute('aria-describedby');
      assert.ok(describedBy, 'the password field has aria-describedby');
      assert.ok((await page.locator(`[id="${describedBy}"]`).innerText()).includes(tooShort),
        'aria-describedby points at the error message');
      // Nothing else is lost: the token is still in the form and the fields are still there.
      assert.equal(await page.locator('input[type=hidden][name=token]').inputValue(), token,
        'the token is kept after the error');
      assert.equal(await page.getByLabel(pwLabel, { exact: true }).count(), 1);
      assert.equal(await page.getByLabel(confirmLabel, { exact: true }).count(), 1);
    });

    test(`${++n}. ${lang}: a good new password is accepted and signs in; the old one and the link no longer work`, async () => {
      const pwLabel = await labelOf(page, 'input[name=password]');
      const confirmLabel = await labelOf(page, 'input[name=password_confirm]');
      await page.getByLabel(pwLabel, { exact: true }).fill(c.newPassword);
      await page.getByLabel(confirmLabel, { exact: true }).fill(c.newPassword);
      const resp = await navigate(page, () =>
        page.locator(`form[action="${resetPath}"]`).getByRole('button').click());
      assert.equal(resp.status(), 200);
      await checkPage(page, shot('06-changed'), { lang });
      const done = tr(lang, 'Your password has been changed.');
      assert.ok((await bodyText(page)).includes(done), `the page says "${done}"`);

      // The link to sign in.
      const signInLink = page.locator('main').getByRole('link', { name: tr(lang, 'Sign in'), exact: true });
      assert.equal(await signInLink.count(), 1, `a link "${tr(lang, 'Sign in')}" to the sign-in page`);
      await navigate(page, () => signInLink.click());
      assert.equal(path(page), portal.page);

      // Old password refused.
      await page.getByLabel(labels.login, { exact: true }).fill(c.login);
      await page.getByLabel(labels.password, { exact: true }).fill(DEMO_PASSWORD);
      const r1 = await navigate(page, () => page.getByRole('button', { name: labels.signIn, exact: true }).click());
      assert.equal(r1.status(), 401, 'the old password no longer signs in');

      // New password works.
      await page.getByLabel(labels.login, { exact: true }).fill(c.login);
      await page.getByLabel(labels.password, { exact: true }).fill(c.newPassword);
      const r2 = await navigate(page, () => page.getByRole('button', { name: labels.signIn, exact: true }).click());
      assert.equal(r2.status(), 200);
      assert.equal(path(page), portal.home, 'signed in with the new password');
      await checkPage(page, shot('07-account'), { lang });
      assert.ok((await bodyText(page)).includes(c.account), `the account page names ${c.account}`);

      // The link was single use.
      const r3 = await navigate(page, () => page.goto(link));
      assert.equal(r3.status(), 410, 'a used link answers 410');
      await checkPage(page, shot('08-link-used'), { lang });
      const used = tr(lang, 'This link has already been used.');
      assert.ok((await bodyText(page)).includes(used), `the page says "${used}"`);
    });
  });
}
