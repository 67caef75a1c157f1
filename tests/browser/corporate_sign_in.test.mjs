// Corporate Billing Portal sign-in, in English and Spanish (full path: labels, wrong password,
// keyboard-only sign-in, account page, sign-out) and French/Italian (labels).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  newPage,
  checkPage,
  switchLanguage,
  navigate,
  signOut,
  DEMO_PASSWORD,
  startServerAndBrowser,
  stopServerAndBrowser,
} from './harness.mjs';

const STRINGS = {
  en: {
    userId: 'User ID', password: 'Password', signIn: 'Sign in',
    forgot: 'Forgot your password?', invalid: 'Invalid User ID/password',
  },
  es: {
    userId: 'ID de usuario', password: 'Contraseña', signIn: 'Iniciar sesión',
    forgot: '¿Ha olvidado su contraseña?', invalid: 'ID de usuario/contraseña no válidos',
  },
  fr: { userId: 'ID utilisateur', password: 'Mot de passe', signIn: 'Connexion', forgot: 'Mot de passe oublié ?' },
  it: { userId: 'ID utente', password: 'Password', signIn: 'Accedi', forgot: 'Password dimenticata?' },
};

let server;
let browser;
before(async () => ({ server, browser } = await startServerAndBrowser('corporate')));
after(() => stopServerAndBrowser(server, browser));

// The sign-in page in `lang`, reached by clicking the switcher link.
async function openSignIn(page, lang, shot) {
  const resp = await navigate(page, () => page.goto('/corporate'));
  assert.equal(resp.status(), 200, 'GET /corporate');
  if (lang !== 'en') await switchLanguage(page, lang);
  assert.equal(new URL(page.url()).pathname, '/corporate', 'the switcher comes back to /corporate');
  await checkPage(page, shot, { lang });
}

// What has the keyboard focus, in a form comparable between tabs.
const focused = (page) => page.evaluate(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return 'body';
  return `${el.tagName.toLowerCase()}[name=${el.getAttribute('name') || ''}]` +
    `[type=${el.getAttribute('type') || ''}]:${(el.textContent || '').trim().slice(0, 40)}`;
});

let n = 0;
for (const lang of ['en', 'es']) {
  const s = STRINGS[lang];
  describe(`corporate sign-in (${lang})`, () => {
    let page;
    before(async () => { page = await newPage(browser, server); });
    after(async () => { await page?.context().close(); });

    test(`${++n}. ${lang}: the sign-in page has a title, one h1, lang=${lang} and no axe violations`, async () => {
      await openSignIn(page, lang, `corporate-${lang}-01-sign-in`);
    });

    test(`${++n}. ${lang}: fields reachable by label, button "${s.signIn}", link "${s.forgot}"`, async () => {
      const userId = page.getByLabel(s.userId, { exact: true });
      const password = page.getByLabel(s.password, { exact: true });
      assert.equal(await userId.count(), 1, `one field labelled "${s.userId}"`);
      assert.equal(await password.count(), 1, `one field labelled "${s.password}"`);
      assert.equal(await userId.getAttribute('name'), 'user_id');
      assert.equal(await password.getAttribute('name'), 'password');
      assert.equal(await password.getAttribute('type'), 'password');
      assert.equal(await page.getByRole('button', { name: s.signIn, exact: true }).count(), 1,
        `one button "${s.signIn}"`);
      const forgot = page.getByRole('link', { name: s.forgot, exact: true });
      assert.equal(await forgot.count(), 1, `one link "${s.forgot}"`);
      assert.equal(new URL(await forgot.getAttribute('href'), server.base).pathname, '/corporate/forgot');
      assert.equal(await page.locator('form input[type=hidden][name=csrf]').count() >= 1, true,
        'the sign-in form carries a csrf field');
    });

    test(`${++n}. ${lang}: a wrong password shows "${s.invalid}" and keeps the User ID`, async () => {
      await page.getByLabel(s.userId, { exact: true }).fill('acme-billing');
      await page.getByLabel(s.password, { exact: true }).fill('not-the-password');
      const resp = await navigate(page, () =>
        page.getByRole('button', { name: s.signIn, exact: true }).click());
      assert.equal(resp.status(), 401, 'wrong password answers 401');
      await checkPage(page, `corporate-${lang}-02-wrong-password`, { lang });
      assert.ok(await page.getByText(s.invalid, { exact: false }).first().isVisible(),
        `the message "${s.invalid}" is visible`);
      assert.equal(await page.getByLabel(s.userId, { exact: true }).inputValue(), 'acme-billing',
        'the typed User ID is kept');
      assert.equal(await page.getByLabel(s.password, { exact: true }).inputValue(), '',
        'the password is empty');
      assert.equal(await page.context().cookies().then((c) => c.some((k) => k.name === 'cobro_session')),
        false, 'no session cookie after a failed sign-in');
    });

    test(`${++n}. ${lang}: keyboard only: Tab reaches User ID, Password, the button in order; Enter signs in`, async () => {
      await navigate(page, () => page.goto('/corporate'));
      assert.equal(await page.locator('html').getAttribute('lang'), lang, 'the language choice is kept');
      const want = {
        userId: 'input[name=user_id]',
        password: 'input[name=password]',
      };
      const order = [];
      let buttonAt = -1;
      for (let i = 0; i < 40 && buttonAt < 0; i++) {
        await page.keyboard.press('Tab');
        const f = await focused(page);
        order.push(f);
        const isButton = await page.evaluate((label) => {
          const el = document.activeElement;
          return !!el && (el.tagName === 'BUTTON' || el.type === 'submit') &&
            (el.textContent.trim() === label || el.value === label);
        }, s.signIn);
        if (isButton) buttonAt = i;
      }
      const userAt = order.findIndex((f) => f.startsWith(want.userId));
      const passAt = order.findIndex((f) => f.startsWith(want.password));
      assert.ok(userAt >= 0 && passAt > userAt && buttonAt > passAt,
        `Tab order should reach User ID, then Password, then "${s.signIn}"; got:\n  ${order.join('\n  ')}`);

      // Again from the top, typing as a keyboard user would.
      await navigate(page, () => page.goto('/corporate'));
      for (let i = 0; i <= userAt; i++) await page.keyboard.press('Tab');
      assert.ok((await focused(page)).startsWith(want.userId), 'focus on User ID');
      await page.keyboard.type('acme-billing');
      for (let i = userAt; i < passAt; i++) await page.keyboard.press('Tab');
      assert.ok((await focused(page)).startsWith(want.password), 'focus on Password');
      await page.keyboard.type(DEMO_PASSWORD);
      const resp = await navigate(page, () => page.keyboard.press('Enter'));
      assert.equal(resp.status(), 200);
      assert.equal(new URL(page.url()).pathname, '/corporate/account', 'Enter signs in to the account page');
      await checkPage(page, `corporate-${lang}-03-account`, { lang });
      const body = await page.locator('body').innerText();
      assert.ok(body.includes('Acme Corporation'), 'the account page shows "Acme Corporation"');
      assert.ok(body.includes('acme-billing'), 'the account page shows the User ID');
      const session = (await page.context().cookies()).find((c) => c.name === 'cobro_session');
      assert.ok(session, 'cobro_session cookie set');
      assert.equal(session.httpOnly, true, 'cobro_session is HttpOnly');
      assert.equal(session.sameSite, 'Lax', 'cobro_session is SameSite=Lax');
      // Signed in, /corporate goes to the account page.
      await navigate(page, () => page.goto('/corporate'));
      assert.equal(new URL(page.url()).pathname, '/corporate/account', '/corporate when signed in');
    });

    test(`${++n}. ${lang}: sign out ends the session`, async () => {
      const resp = await signOut(page);
      assert.equal(resp.status(), 200);
      assert.equal(new URL(page.url()).pathname, '/corporate', 'sign-out lands on /corporate');
      await checkPage(page, `corporate-${lang}-04-signed-out`, { lang });
      assert.equal(await page.getByLabel(s.userId, { exact: true }).count(), 1, 'the sign-in form shows');
      await navigate(page, () => page.goto('/corporate/account'));
      assert.equal(new URL(page.url()).pathname, '/corporate',
        'after sign-out /corporate/account sends back to sign-in');
    });
  });
}

for (const lang of ['fr', 'it']) {
  const s = STRINGS[lang];
  test(`${++n}. ${lang}: sign-in labels "${s.userId}", "${s.password}", button "${s.signIn}", link "${s.forgot}"`, async () => {
    const page = await newPage(browser, server);
    try {
      await openSignIn(page, lang, `corporate-${lang}-01-sign-in`);
      assert.equal(await page.getByLabel(s.userId, { exact: true }).count(), 1, `field "${s.userId}"`);
      assert.equal(await page.getByLabel(s.password, { exact: true }).count(), 1, `field "${s.password}"`);
      assert.equal(await page.getByRole('button', { name: s.signIn, exact: true }).count(), 1,
        `button "${s.signIn}"`);
      const forgot = page.getByRole('link', { name: s.forgot, exact: true });
      assert.equal(await forgot.count(), 1, `link "${s.forgot}"`);
      await navigate(page, () => forgot.click());
      assert.equal(new URL(page.url()).pathname, '/corporate/forgot');
      await checkPage(page, `corporate-${lang}-02-forgot`, { lang });
    } finally {
      await page.context().close();
    }
  });
}
