// The language switcher after a refused form, clicked in Chromium: a failed sign-in in each
// portal and a refused password reset come back as the same page, in the same state (the typed
// login, the reset token), in the chosen language; and "session expired" is a warning box.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  newPage,
  checkPage,
  switchLanguage,
  navigate,
  tr,
  mailFiles,
  waitForNewEmail,
  findResetLink,
  pathOf,
  mainText,
  startServerAndBrowser,
  stopServerAndBrowser,
} from './harness.mjs';

let server;
let browser;
before(async () => ({ server, browser } = await startServerAndBrowser('lang-switch')));
after(() => stopServerAndBrowser(server, browser));

const PORTALS = [
  { portal: '/corporate', field: 'user_id', login: 'acme-billing', lang: 'es', invalid: 'Invalid User ID/password' },
  { portal: '/billing', field: 'email', login: 'owner@initech.example', lang: 'fr', invalid: 'Invalid email/password' },
  { portal: '/staff', field: 'email', login: 'cas@vendor.example', lang: 'it', invalid: 'Invalid email/password' },
];

let n = 0;
describe('language switcher after a refused form', () => {
  for (const p of PORTALS) {
    test(`${++n}. ${p.portal}: a failed sign-in, then ${p.lang}: the same form, message and login`, async () => {
      const page = await newPage(browser, server);
      try {
        await navigate(page, () => page.goto(p.portal));
        await page.locator(`input[name=${p.field}]`).fill(p.login);
        await page.locator('input[name=password]').fill('not-the-password');
        const resp = await navigate(page, () => page.locator('form button[type=submit].primary').click());
        assert.equal(resp.status(), 401);
        await switchLanguage(page, p.lang);
        assert.equal(pathOf(page), p.portal, 'back on the sign-in page, not on the POST address');
        await checkPage(page, `lang-switch-${p.portal.slice(1)}-failed-sign-in-${p.lang}`, { lang: p.lang });
        const text = await mainText(page);
        assert.ok(text.includes(tr(p.lang, p.invalid)), `the refusal in ${p.lang}:\n${text}`);
        assert.notEqual(tr(p.lang, p.invalid), p.invalid, 'the message has a translation');
        assert.equal(await page.locator(`input[name=${p.field}]`).inputValue(), p.login);
        assert.equal(await page.locator('input[name=password]').inputValue(), '');
        assert.ok(!page.url().includes('not-the-password'));
      } finally {
        await page.context().close();
      }
    });
  }

  test(`${++n}. a refused password reset, then Español: the reset form with its token`, async () => {
    const page = await newPage(browser, server);
    try {
      const before = mailFiles(server.mailDir);
      await navigate(page, () => page.goto('/corporate/forgot'));
      await page.locator('input[name=user_id]').fill('acme-billing');
      await navigate(page, () => page.locator('form[action="/corporate/forgot"] button').click());
      const link = findResetLink(await waitForNewEmail(server.mailDir, before), server.base);
      const token = new URL(link).searchParams.get('token');

      await navigate(page, () => page.goto(link));
      await page.locator('input[name=password]').fill('Correct-Horse-42');
      await page.locator('input[name=password_confirm]').fill('Correct-Horse-43');
      const resp = await navigate(page, () => page.locator('form[action="/corporate/reset"] button').click());
      assert.equal(resp.status(), 400);

      await switchLanguage(page, 'es');
      assert.equal(pathOf(page), '/corporate/reset');
      assert.equal(new URL(page.url()).searchParams.get('token'), token, 'the token is in the address');
      await checkPage(page, 'lang-switch-reset-refused-es', { lang: 'es' });
      assert.equal((await page.locator('h1').innerText()).trim(), tr('es', 'Set a new password'));
      assert.equal(await page.locator('input[type=hidden][name=token]').inputValue(), token);
      const mismatch = tr('es', 'The two passwords are not the same.');
      assert.ok((await mainText(page)).includes(mismatch), `the refusal "${mismatch}" shows again`);

      // The form it came back to works, in Spanish.
      await page.locator('input[name=password]').fill('Correct-Horse-42');
      await page.locator('input[name=password_confirm]').fill('Correct-Horse-42');
      const done = await navigate(page, () => page.locator('form[action="/corporate/reset"] button').click());
      assert.equal(done.status(), 200);
      assert.ok((await mainText(page)).includes(tr('es', 'Your password has been changed.')));
    } finally {
      await page.context().close();
    }
  });

  test(`${++n}. "session expired" is a warning box, not a confirmation`, async () => {
    const page = await newPage(browser, server);
    try {
      await navigate(page, () => page.goto('/corporate?expired=1'));
      await checkPage(page, 'lang-switch-session-expired', { lang: 'en' });
      const box = page.locator('.notice.warning[role=alert]');
      assert.equal(await box.count(), 1);
      assert.equal((await box.innerText()).trim(), 'Your session has expired. Please sign in again.');
      assert.equal(await page.locator('.notice.info').count(), 0);
      const colours = await box.evaluate((el) => {
        const s = getComputedStyle(el);
        return [s.backgroundColor, s.color];
      });
      assert.deepEqual(colours, ['rgb(255, 244, 224)', 'rgb(107, 68, 0)']);
    } finally {
      await page.context().close();
    }
  });
});
