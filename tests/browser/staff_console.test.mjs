// Staff console (issue 14): the public start page, a sales rep creating a corporate account (a
// refused form first), searching for it, the account page with its actions, and the home pages
// of a rep and of Customer Care; in English and Italian, each page checked by axe.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  newPage,
  checkPage,
  navigate,
  signInAs,
  tr,
  mainText,
  pathOf,
  startServerAndBrowser,
  stopServerAndBrowser,
} from './harness.mjs';

let server;
let browser;
before(async () => ({ server, browser } = await startServerAndBrowser('staff-console')));
after(() => stopServerAndBrowser(server, browser));

const CASES = [
  { lang: 'en', name: 'Umbrella Holdings', userId: 'umbrella-billing', country: 'US', region: 'IL', postal: '62701' },
  { lang: 'it', name: 'Ombrello S.r.l.', userId: 'ap@ombrello.example', country: 'IT', region: '', postal: '20121' },
];

let n = 0;

test(`${++n}. the start page offers the two customer portals, not the staff console`, async () => {
  const page = await newPage(browser, server);
  try {
    await navigate(page, () => page.goto('/'));
    await checkPage(page, 'staff-console-start', { lang: 'en' });
    assert.equal(await page.locator('main a[href="/corporate"]').count(), 1);
    assert.equal(await page.locator('main a[href="/billing"]').count(), 1);
    assert.equal(await page.locator('a[href^="/staff"]').count(), 0);
  } finally {
    await page.context().close();
  }
});

for (const c of CASES) {
  const L = (s) => tr(c.lang, s);
  const field = (page, label) => page.getByLabel(L(label), { exact: true });

  describe(`staff console (${c.lang})`, () => {
    let page;
    before(async () => {
      page = await newPage(browser, server);
      await signInAs(page, 'staff', 'rep@vendor.example', { lang: c.lang });
    });
    after(async () => { await page?.context().close(); });

    test(`${++n}. ${c.lang}: the rep's home lists their accounts and open quotes`, async () => {
      await navigate(page, () => page.goto('/staff/home'));
      await checkPage(page, `staff-console-${c.lang}-home-rep`, { lang: c.lang });
      const text = await mainText(page);
      assert.ok(text.includes(L('Your accounts')));
      assert.ok(text.includes('Acme Corporation'));
      assert.ok(text.includes(L('Your open quotes')));
    });

    test(`${++n}. ${c.lang}: a refused form keeps what was typed, then the account is created`, async () => {
      await navigate(page, () => page.getByRole('link', { name: L('New corporate account') }).first().click());
      assert.equal(pathOf(page), '/staff/accounts/new');
      await field(page, 'Name of the account').fill(c.name);
      await field(page, 'Country (two-letter code)').fill(c.country);
      await field(page, 'User ID (a username or an email address)').fill('not ok!');
      let resp = await navigate(page, () => page.getByRole('button', { name: L('Create the account') }).click());
      assert.equal(resp.status(), 400);
      await checkPage(page, `staff-console-${c.lang}-new-refused`, { lang: c.lang });
      assert.equal(await field(page, 'Name of the account').inputValue(), c.name);
      assert.ok((await mainText(page)).includes(L('This field is required.')));
      await page.locator('#currency').selectOption(c.country === 'US' ? 'USD' : 'EUR');
      await page.locator('#lang').selectOption(c.lang);
      await field(page, 'User ID (a username or an email address)').fill(c.userId);
      await page.locator('#contact_name').fill('Alice Abernathy');
      await page.locator('#contact_email').fill(c.userId.includes('@') ? c.userId : 'alice@umbrella.example');
      await page.locator('#bill_to_name').fill(c.name);
      await page.locator('#address_line1').fill('1 Main Street');
      await page.locator('#city').fill(c.country === 'US' ? 'Springfield' : 'Milano');
      await page.locator('#region').fill(c.region);
      await page.locator('#postal_code').fill(c.postal);
      resp = await navigate(page, () => page.getByRole('button', { name: L('Create the account') }).click());
      assert.equal(resp.status(), 200);
      assert.match(pathOf(page), /^\/staff\/accounts\/\d+$/);
      await checkPage(page, `staff-console-${c.lang}-account`, { lang: c.lang });
      const text = await mainText(page);
      assert.ok(text.includes(L('The account has been created. The billing contact has been emailed their User ID and a link to set their password.')));
      assert.ok(text.includes(c.userId));
      for (const h of ['Billing contact', 'Subscriptions', 'Sign-ins', 'Emails', 'Audit log']) {
        assert.equal(await page.getByRole('heading', { name: L(h), exact: true }).count(), 1, h);
      }
      assert.ok(text.includes(tr(c.lang, 'Account %s created.').replace('%s', c.name)));
    });

    test(`${++n}. ${c.lang}: a subscription added is invoiced at once, and the log says so`, async () => {
      await navigate(page, () => page.getByRole('link', { name: L('Add a subscription') }).first().click());
      assert.match(pathOf(page), /^\/staff\/accounts\/\d+\/subscriptions\/new$/);
      await checkPage(page, `staff-console-${c.lang}-subscription-new`, { lang: c.lang });
      await page.locator('#plan_id').selectOption({ index: 1 });
      await field(page, 'Seats').fill('3');
      const resp = await navigate(page, () => page.getByRole('button', { name: L('Add the subscription') }).click());
      assert.equal(resp.status(), 200);
      assert.match(pathOf(page), /^\/staff\/accounts\/\d+$/);
      await checkPage(page, `staff-console-${c.lang}-subscription-added`, { lang: c.lang });
      const text = await mainText(page);
      assert.ok(text.includes(L('The subscription has been added. The invoice for its first period has been issued and emailed to the billing contact.')));
      const issued = tr(c.lang, 'Invoice %s issued: %s.').split('%s');
      const log = await page.locator('table.audit-log').innerText();
      assert.ok(log.includes(issued[0].trim()) && log.includes(issued[1].trim()), log);
      assert.match(await page.locator('main').innerText(), /INV-\d{4}-\d+/);
    });

    test(`${++n}. ${c.lang}: search finds it by User ID`, async () => {
      await navigate(page, () => page.goto('/staff/accounts'));
      await page.getByLabel(L('Find an account'), { exact: true }).fill(c.userId.toUpperCase());
      await navigate(page, () => page.getByRole('button', { name: L('Search'), exact: true }).click());
      await checkPage(page, `staff-console-${c.lang}-search`, { lang: c.lang });
      const links = page.locator('table.accounts tbody a');
      assert.equal(await links.count(), 1);
      assert.equal(await links.first().innerText(), c.name);
    });
  });
}

test(`${++n}. Customer Care's home page: a search, no account list`, async () => {
  const page = await newPage(browser, server);
  try {
    await signInAs(page, 'staff', 'care@vendor.example', { lang: 'it' });
    await navigate(page, () => page.goto('/staff/home'));
    await checkPage(page, 'staff-console-it-home-care', { lang: 'it' });
    assert.equal(await page.getByRole('search').count(), 1);
    assert.equal(await page.locator('a[href="/staff/accounts/new"]').count(), 0);
  } finally {
    await page.context().close();
  }
});
