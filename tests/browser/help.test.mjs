// The help pages in Chromium: the index and two articles in English and in Italian (axe, one h1,
// a readable line length, a phone without sideways scrolling), reached from the footer and from
// a sign-in page; the language switcher keeps the article; no JavaScript needed.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  REPO_ROOT,
  newPage,
  checkPage,
  switchLanguage,
  navigate,
  pathOf,
  mainText,
  signInAs,
  startServerAndBrowser,
  stopServerAndBrowser,
} from './harness.mjs';

let server;
let browser;
before(async () => ({ server, browser } = await startServerAndBrowser('help')));
after(() => stopServerAndBrowser(server, browser));

// The title in the front matter of help/LANG/SLUG.md.
function titleOf(lang, slug) {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'help', lang, `${slug}.md`), 'utf8');
  return text.match(/^title: (.*)$/m)[1].replace(/\u00a0/g, ' ');
}

const ARTICLES = ['sign-in-corporate', 'change-billing-contact'];
let n = 0;
describe('help pages', () => {
  for (const lang of ['en', 'it']) {
    test(`${++n}. ${lang}: the index and two articles, on a desktop and on a phone`, async () => {
      for (const phone of [false, true]) {
        const page = await newPage(browser, server, { phone });
        try {
          await navigate(page, () => page.goto('/'));
          if (lang !== 'en') await switchLanguage(page, lang);
          // From the footer of the start page to the index.
          await navigate(page, () => page.locator('footer a[href="/help"]').click());
          assert.equal(pathOf(page), '/help');
          const kind = phone ? 'phone' : 'desktop';
          await checkPage(page, `help-index-${lang}-${kind}`, { lang });
          assert.equal((await page.locator('h1').innerText()).trim(), titleOf(lang, 'index'));
          for (const slug of ARTICLES) {
            await navigate(page, () => page.locator(`main a[href="/help/${slug}"]`).first().click());
            assert.equal(pathOf(page), `/help/${slug}`);
            await checkPage(page, `help-${slug}-${lang}-${kind}`, { lang });
            assert.equal((await page.locator('h1').innerText()).trim(), titleOf(lang, slug));
            // A readable line: the article column stays narrow on a wide window.
            const width = await page.locator('.help-page').evaluate((e) => e.getBoundingClientRect().width);
            assert.ok(width <= 44 * 16 + 1, `article column ${width}px wide`);
            // It ends with the contact options: the Care Billing Form for a visitor.
            assert.equal(await page.locator('.help-contact a[href="/care"]').count(), 1);
            await navigate(page, () => page.locator('nav ol.crumbs a[href="/help"]').click());
          }
        } finally {
          await page.context().close();
        }
      }
    });
  }

  test(`${++n}. from the corporate sign-in page to its article, then in Español`, async () => {
    const page = await newPage(browser, server);
    try {
      await navigate(page, () => page.goto('/corporate'));
      await navigate(page, () => page.locator('main a[href="/help/sign-in-corporate"]').click());
      assert.equal(pathOf(page), '/help/sign-in-corporate');
      await switchLanguage(page, 'es');
      assert.equal(pathOf(page), '/help/sign-in-corporate');
      assert.equal((await page.locator('h1').innerText()).trim(), titleOf('es', 'sign-in-corporate'));
      assert.ok((await mainText(page)).includes('¿Ha olvidado su contraseña?'));
    } finally {
      await page.context().close();
    }
  });

  test(`${++n}. a signed-in corporate billing contact is sent to the Requests tab`, async () => {
    const page = await newPage(browser, server);
    try {
      await signInAs(page, 'corporate', 'acme-billing');
      await navigate(page, () => page.locator('footer a[href="/help"]').click());
      await navigate(page, () => page.locator('main a[href="/help/w9"]').click());
      await checkPage(page, 'help-w9-en-corporate', { lang: 'en' });
      assert.equal(await page.locator('.help-contact a[href="/corporate/requests"]').count(), 1);
      assert.equal(await page.locator('.help-contact a[href="/care"]').count(), 0);
    } finally {
      await page.context().close();
    }
  });

  test(`${++n}. the pages work without JavaScript`, async () => {
    const context = await browser.newContext({ baseURL: server.base, javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto('/help');
      await page.locator('main a[href="/help/cancel"]').click();
      await page.waitForURL('**/help/cancel');
      assert.equal((await page.locator('h1').innerText()).trim(), titleOf('en', 'cancel'));
      assert.equal(await page.locator('script').count(), 0);
    } finally {
      await context.close();
    }
  });
});
