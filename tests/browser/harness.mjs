// Shared helpers for the browser tests: one cobro server per test file (fresh demo database,
// emails written as .eml files), Debian's chromium through playwright-core, axe on every page,
// a screenshot of every page into test-results/screenshots/.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screenshots');
export const DEMO_PASSWORD = 'demo-password';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function cobroBin() {
  const bin = process.env.COBRO_BIN
    ? path.resolve(process.env.COBRO_BIN)
    : path.join(REPO_ROOT, 'build', 'cobro');
  if (!fs.existsSync(bin)) {
    throw new Error(`cobro binary not found at ${bin} (run make, or set COBRO_BIN)`);
  }
  return bin;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Lines of the server's stderr that mean a sanitizer found something.
export function sanitizerProblems(stderr) {
  return stderr
    .split('\n')
    .filter((l) => l.includes('AddressSanitizer') || l.includes('runtime error'));
}

// The tests' clock. Every cobro process gets COBRO_NOW from it, so no test depends on the day it
// runs: COBRO_TEST_NOW sets the instant it shows when the tests start (scripts/check runs the
// date-sensitive tests at several), and it runs on from there, as cobro's own clock does.
export const TEST_NOW = process.env.COBRO_TEST_NOW || '2026-11-16T10:00:00Z';
const clockOffsetMs = Date.parse(TEST_NOW) - Date.now();
if (Number.isNaN(clockOffsetMs)) throw new Error(`COBRO_TEST_NOW "${TEST_NOW}" is not a date`);

// Now, by the tests' clock (a Date).
export function testNow() {
  return new Date(Date.now() + clockOffsetMs);
}

// The store: SQLite files, or PostgreSQL when COBRO_TEST_PG names a server ("127.0.0.1:PORT",
// started by scripts/check with tests/pg_cluster.py). There each test server gets a database of
// its own, and they all share one data key file, named to cobro by COBRO_DATA_KEY_FILE.
const PG_ADDRESS = process.env.COBRO_TEST_PG || null;
const PG_KEY_FILE = PG_ADDRESS
  ? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cobro-test-key-')), 'data.key')
  : null;

// What `--db` takes for a fresh database in dir.
function newDatabase(dir) {
  if (!PG_ADDRESS) return path.join(dir, 't.db');
  const [host, port] = PG_ADDRESS.split(':');
  const name = `t_${Math.random().toString(16).slice(2, 14)}`;
  execFileSync('/usr/lib/postgresql/15/bin/psql',
    ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', host, '-p', port, '-U', 'postgres', '-d', 'postgres',
      '-c', `CREATE DATABASE ${name}`],
    { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000 });
  return `postgresql://postgres@${PG_ADDRESS}/${name}`;
}

// The environment of a cobro process: ours without COBRO_* settings, plus the tests' clock (and
// the data key file on PostgreSQL).
export function cobroEnv() {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COBRO_')));
  env.COBRO_NOW = testNow().toISOString();
  if (PG_KEY_FILE) env.COBRO_DATA_KEY_FILE = PG_KEY_FILE;
  // As scripts/check does: fontconfig's one-time configuration is not a leak of ours (ASan
  // build); every `cobro demo` draws the sample W-9 with cairo and pango.
  if (!env.LSAN_OPTIONS) env.LSAN_OPTIONS = `suppressions=${path.join(REPO_ROOT, 'tests', 'lsan.supp')}`;
  return env;
}

// Starts `cobro demo` then `cobro serve` on a free port in a new temp directory.
// Returns { base, dir, mailDir, port, stderr(), stop() }. stop() kills the server, waits for it,
// and throws when its stderr shows a sanitizer report.
export async function startServer(label = 'cobro') {
  const bin = cobroBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cobro-browser-${label}-`));
  const db = newDatabase(dir);
  const mailDir = path.join(dir, 'mail');
  fs.mkdirSync(mailDir, { recursive: true });

  try {
    execFileSync(bin, ['demo', '--db', db], {
      stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000, env: cobroEnv(),
    });
  } catch (e) {
    throw new Error(`cobro demo failed (${e.status}): ${e.stderr?.toString() ?? e.message}`);
  }

  let lastErr;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const child = spawn(
      bin,
      ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--base-url', base,
        '--mail-dir', mailDir, '--threads', '2'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: cobroEnv() },
    );
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8');
    child.stdout.setEncoding('utf8');
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.on('data', (d) => { stdout += d; });
    let exited = null;
    const exitPromise = new Promise((resolve) => {
      child.on('exit', (code, signal) => { exited = { code, signal }; resolve(exited); });
    });

    const deadline = Date.now() + 15000;
    let healthy = false;
    while (Date.now() < deadline && !exited) {
      try {
        const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) });
        if (r.status === 200 && (await r.text()).trim() === 'ok') { healthy = true; break; }
      } catch { /* not up yet */ }
      await sleep(100);
    }
    if (!healthy) {
      if (!exited) { child.kill('SIGKILL'); await exitPromise; }
      lastErr = new Error(`cobro serve did not become healthy on ${base} ` +
        `(exit ${JSON.stringify(exited)}):\n${stderr}${stdout}`);
      if (/address already in use|EADDRINUSE|bind/i.test(stderr)) continue; // port race: retry
      throw lastErr;
    }

    return {
      base,
      port,
      dir,
      db,
      mailDir,
      stderr: () => stderr,
      async stop() {
        const diedEarly = exited;
        let stoppedInTime = true;
        if (!exited) {
          child.kill('SIGTERM');
          let timer;
          const t = await Promise.race([exitPromise,
            new Promise((r) => { timer = setTimeout(() => r('timeout'), 10000); })]);
          clearTimeout(timer);
          if (t === 'timeout') { child.kill('SIGKILL'); await exitPromise; }
          stoppedInTime = t !== 'timeout';
        }
        const problems = sanitizerProblems(stderr);
        if (problems.length === 0 && !diedEarly && !process.env.COBRO_KEEP_TMP) {
          fs.rmSync(dir, { recursive: true, force: true });
        }
        assert.deepEqual(problems, [],
          `server stderr shows sanitizer reports:\n${stderr.slice(-20000)}`);
        assert.ok(stoppedInTime, 'the server did not stop within 10 s of SIGTERM');
        assert.equal(diedEarly, null,
          `the server exited during the tests (${JSON.stringify(diedEarly)}); its stderr ends:\n` +
          stderr.split('\n').slice(-40).join('\n'));
      },
    };
  }
  throw lastErr;
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

// Runs SQL statements on a test server's database, on either store (sqlite3 on SQLite, psql on
// PostgreSQL): for what a test must set up or look up that no page does (a card the gateway
// declines). Keep the SQL to what both stores run. Returns what a SELECT printed (columns joined
// by |, one row a line), trimmed.
export function runSql(server, sql) {
  const out = PG_ADDRESS
    ? execFileSync('/usr/lib/postgresql/15/bin/psql',
      ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', server.db],
      { input: sql, stdio: ['pipe', 'pipe', 'pipe'], timeout: 30000 })
    : execFileSync('sqlite3', [server.db], { input: `.timeout 10000\n${sql}`, timeout: 30000 });
  return out.toString().trim();
}

// A test file's server (fresh database) and browser, started together and stopped together.
export async function startServerAndBrowser(label) {
  return { server: await startServer(label), browser: await launchBrowser() };
}
export async function stopServerAndBrowser(server, browser) {
  await browser?.close();
  await server?.stop();
}

// Text as a reader sees it: the narrow and no-break spaces of money and dates made plain.
export const norm = (s) => s.replace(/[\u00a0\u202f]/g, ' ');
export const pathOf = (page) => new URL(page.url()).pathname;
export const mainText = async (page) => norm(await page.locator('main').innerText());
export const bodyText = async (page) => norm(await page.locator('body').innerText());

// A fresh context (own cookies) and page. Accept-Language is English so that the language
// only changes through the switcher. Records failed sub-resources for checkPage(). phone: a
// 390x844 touch screen instead of a 1024x768 window (close the page's context when done).
export async function newPage(browser, server, { phone = false } = {}) {
  const context = await browser.newContext({
    baseURL: server.base,
    locale: 'en-US',
    ...(phone
      ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
      : { viewport: { width: 1024, height: 768 } }),
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.setDefaultNavigationTimeout(10000);
  page.brokenResources = [];
  page.pageErrors = [];
  page.on('response', (r) => {
    const req = r.request();
    if (process.env.COBRO_TEST_DEBUG) {
      console.error(`  [http] ${req.method()} ${r.url()} -> ${r.status()} ${r.headers().location || ''}`);
    }
    if (req.isNavigationRequest()) return;
    if (new URL(r.url()).pathname === '/favicon.ico') return;
    if (r.status() >= 400) page.brokenResources.push(`${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (req) => {
    if (new URL(req.url()).pathname === '/favicon.ico') return;
    // A fetch the page started and then left (a navigation cancels it, as when "Save and
    // preview" is pressed while the live preview is on its way) did not fail to load.
    if (req.resourceType() === 'fetch' && req.failure()?.errorText === 'net::ERR_ABORTED') return;
    page.brokenResources.push(`failed ${req.url()}: ${req.failure()?.errorText}`);
  });
  page.on('pageerror', (e) => page.pageErrors.push(String(e)));
  return page;
}

function formatViolations(violations) {
  return violations.map((v) => {
    const nodes = v.nodes.slice(0, 5).map((n) => {
      const summary = (n.failureSummary || '').split('\n').map((l) => `        ${l}`).join('\n');
      return `    - ${n.target.join(' ')}\n      ${n.html.slice(0, 200)}\n${summary}`;
    }).join('\n');
    const more = v.nodes.length > 5 ? `\n    ... and ${v.nodes.length - 5} more` : '';
    return `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes}${more}`;
  }).join('\n');
}

// Runs axe on the page; fails on any violation of impact serious or critical.
export async function checkAxe(page, name) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.equal(bad.length, 0,
    `axe found ${bad.length} serious/critical violation(s) on ${name} (${page.url()}):\n` +
    formatViolations(bad));
  return results;
}

export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // Chromium sometimes answers "Unable to capture screenshot" on a loaded machine (seen under the
  // ASan build with other work running): the page is fine, the capture is tried again once.
  try {
    await page.screenshot({ path: file, fullPage: true });
  } catch (e) {
    if (!/Unable to capture screenshot/.test(String(e?.message))) throw e;
    await new Promise((r) => setTimeout(r, 500));
    await page.screenshot({ path: file, fullPage: true });
  }
  return file;
}

// Every page visited: screenshot, basic structure (title, one h1, lang), sub-resources, nothing
// wider than the window, axe.
export async function checkPage(page, name, { lang } = {}) {
  await page.waitForLoadState('load');
  await screenshot(page, name);
  const title = await page.title();
  assert.ok(title.trim().length > 0, `${name}: the page has an empty <title>`);
  assert.equal(await page.locator('h1').count(), 1, `${name}: expected exactly one <h1>`);
  if (lang) {
    assert.equal(await page.locator('html').getAttribute('lang'), lang, `${name}: <html lang>`);
  }
  assert.deepEqual(page.brokenResources, [], `${name}: sub-resources failed to load`);
  assert.deepEqual(page.pageErrors, [], `${name}: JavaScript errors on the page`);
  assert.deepEqual(await horizontalOverflow(page), { extra: 0, elements: [] },
    `${name}: something is wider than the window (the page scrolls sideways)`);
  await checkAxe(page, name);
}

// Clicks the language switcher link (by the language's own name) and waits for the new page.
export const LANG_NAMES = { en: 'English', es: 'Español', fr: 'Français', it: 'Italiano' };
export async function switchLanguage(page, lang) {
  const link = page.getByRole('link', { name: LANG_NAMES[lang], exact: true });
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/lang')), link.click()]);
  await page.waitForLoadState('load');
  assert.equal(await page.locator('html').getAttribute('lang'), lang,
    `after clicking "${LANG_NAMES[lang]}" the page should be in ${lang}`);
  const cookies = await page.context().cookies();
  const c = cookies.find((k) => k.name === 'cobro_lang');
  assert.equal(c?.value, lang, 'cobro_lang cookie after switching language');
}

// Performs an action that causes a navigation; waits until the page shows the final document
// (after redirects) and returns its response.
export async function navigate(page, action) {
  const respPromise = page.waitForResponse(
    (r) => r.request().isNavigationRequest() && r.request().frame() === page.mainFrame()
      && !(r.status() >= 300 && r.status() < 400),
  );
  respPromise.catch(() => {}); // reported below when awaited; avoid an unhandled rejection
  await action();
  const resp = await respPromise;
  // A redirect may add a fragment (…?done=subscription#subscriptions) the response's URL lacks.
  const target = resp.url().split('#')[0];
  await page.waitForURL((u) => u.href.split('#')[0] === target, { waitUntil: 'load' });
  return resp;
}

// Signs out through the sign-out form on the page.
export async function signOut(page) {
  const btn = page.locator('form[action="/sign-out"]').getByRole('button');
  assert.equal(await btn.count(), 1, 'expected one sign-out button on the page');
  return navigate(page, () => btn.click());
}

// ---- emails -----------------------------------------------------------------------------

export function mailFiles(mailDir) {
  if (!fs.existsSync(mailDir)) return [];
  return fs.readdirSync(mailDir)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => path.join(mailDir, f));
}

function decodeQP(s) {
  const bytes = [];
  const soft = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    const ch = soft[i];
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(ch, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

// RFC 2047 encoded words in headers.
function decodeWords(v) {
  return v
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _cs, enc, text) => {
      if (enc.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
      return decodeQP(text.replace(/_/g, ' '));
    });
}

function parseHeaders(raw) {
  const headers = {};
  const unfolded = raw.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m) headers[m[1].toLowerCase()] = decodeWords(m[2]);
  }
  return headers;
}

function decodePart(headers, body) {
  const cte = (headers['content-transfer-encoding'] || '').toLowerCase();
  if (cte === 'quoted-printable') return decodeQP(body);
  if (cte === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

// Parses an .eml file: { file, headers, text, html, raw } (text/html decoded).
export function parseEmail(file) {
  const raw = fs.readFileSync(file, 'latin1'); // bytes as-is; QP/base64 decode to UTF-8 below
  const split = raw.search(/\r?\n\r?\n/);
  const headers = parseHeaders(raw.slice(0, split));
  const body = raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const out = { file, headers, text: '', html: '', raw };
  const ctype = headers['content-type'] || 'text/plain';
  const bm = /boundary="?([^";]+)"?/i.exec(ctype);
  const utf8 = (s) => Buffer.from(s, 'latin1').toString('utf8');
  if (/^multipart\//i.test(ctype) && bm) {
    const parts = body.split(`--${bm[1]}`).slice(1);
    for (const p of parts) {
      if (p.startsWith('--')) break;
      const ps = p.replace(/^\r?\n/, '');
      const s = ps.search(/\r?\n\r?\n/);
      const ph = parseHeaders(ps.slice(0, s));
      const pb = decodePart(ph, ps.slice(s).replace(/^\r?\n\r?\n/, ''));
      const pct = (ph['content-type'] || 'text/plain').toLowerCase();
      const cte = (ph['content-transfer-encoding'] || '').toLowerCase();
      const txt = cte === 'quoted-printable' || cte === 'base64' ? pb : utf8(pb);
      if (pct.startsWith('text/html')) out.html += txt; else if (pct.startsWith('text/plain')) out.text += txt;
    }
  } else {
    const cte = (headers['content-transfer-encoding'] || '').toLowerCase();
    const txt = cte === 'quoted-printable' || cte === 'base64'
      ? decodePart(headers, body) : utf8(body);
    if (/^text\/html/i.test(ctype)) out.html = txt; else out.text = txt;
  }
  return out;
}

// Waits for an .eml file that was not in `before` (a list from mailFiles()) and returns the
// newest one parsed (mail is delivered by a background worker, so it may take a moment).
export async function waitForNewEmail(mailDir, before, timeoutMs = 10000) {
  const known = new Set(before);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const fresh = mailFiles(mailDir).filter((f) => !known.has(f));
    if (fresh.length > 0) {
      // Files are named NNNNNN-kind.eml by outbox id and renamed into place when complete.
      fresh.sort().reverse();
      return parseEmail(fresh[0]);
    }
    await sleep(100);
  }
  assert.fail(`no new .eml file appeared in ${mailDir} within ${timeoutMs} ms`);
}

// The reset link in a password reset email of the portal ('corporate' or 'billing').
export function findResetLink(email, base, portal = 'corporate') {
  const hay = `${email.text}\n${email.html.replace(/&amp;/g, '&')}`;
  const esc = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${esc}/${portal}/reset\\?token=[A-Za-z0-9_.~%-]+`).exec(hay);
  assert.ok(m, `no ${base}/${portal}/reset?token=... link in the email:\n${hay}`);
  return m[0];
}

// The label text of a form field (its <label for>), asserted to exist.
export async function labelOf(page, selector) {
  const field = page.locator(selector);
  assert.equal(await field.count(), 1, `expected one field ${selector}`);
  const text = await field.evaluate((el) => Array.from(el.labels || []).map((l) => l.textContent.trim()).join(' '));
  assert.ok(text.length > 0, `field ${selector} has no <label>`);
  return text;
}

// ---- translations ---------------------------------------------------------------------------

const catalogs = {};
function unquote(s) {
  return JSON.parse(s.replace(/\\(?!["\\nrt])/g, '\\\\'));
}
// The msgstr for msgid in po/LANG.po (msgid itself for English or when missing/empty), so that
// tests can check translated text they were not given verbatim.
export function tr(lang, msgid) {
  if (lang === 'en') return msgid;
  if (!catalogs[lang]) {
    const map = new Map();
    const file = path.join(REPO_ROOT, 'po', `${lang}.po`);
    if (fs.existsSync(file)) {
      let cur = null; let id = ''; let str = ''; let fuzzy = false; let entryFuzzy = false;
      const flush = () => { if (id && str && !entryFuzzy) map.set(id, str); id = ''; str = ''; };
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (line.startsWith('#,')) { fuzzy = line.includes('fuzzy'); continue; }
        if (line.startsWith('msgid ')) { flush(); entryFuzzy = fuzzy; fuzzy = false; cur = 'id'; id = unquote(line.slice(6)); }
        else if (line.startsWith('msgstr ')) { cur = 'str'; str = unquote(line.slice(7)); }
        else if (line.startsWith('"')) { if (cur === 'id') id += unquote(line); else if (cur === 'str') str += unquote(line); }
        else if (line.trim() === '') { flush(); cur = null; }
      }
      flush();
    }
    catalogs[lang] = map;
  }
  return catalogs[lang].get(msgid) ?? msgid;
}

// ---- signing in, invoices, print, phone layout (added for invoices.test.mjs) ----------------

const SIGN_IN = {
  corporate: { page: '/corporate', form: '/corporate/sign-in', field: 'user_id', home: '/corporate/account' },
  billing: { page: '/billing', form: '/billing/sign-in', field: 'email', home: '/billing/account' },
  staff: { page: '/staff', form: '/staff/sign-in', field: 'email', home: '/staff/home' },
};

// Signs in to a section ('corporate', 'billing', 'staff') through its form, optionally after
// switching the language with the switcher on the sign-in page; asserts the landing page.
export async function signInAs(page, section, login, { lang = 'en', password = DEMO_PASSWORD } = {}) {
  const s = SIGN_IN[section];
  assert.ok(s, `unknown section ${section}`);
  await navigate(page, () => page.goto(s.page));
  if (lang !== 'en') await switchLanguage(page, lang);
  await page.locator(`input[name=${s.field}]`).fill(login);
  await page.locator('input[name=password]').fill(password);
  const resp = await navigate(page, () =>
    page.locator(`form[action="${s.form}"]`).getByRole('button').click());
  assert.equal(resp.status(), 200, `signing in ${login} to ${section}`);
  assert.equal(new URL(page.url()).pathname, s.home, `${login} lands on ${s.home}`);
  return resp;
}

// Replaces window.print (before any page script runs) by a counter read by printCalls().
export async function stubWindowPrint(page) {
  await page.addInitScript(() => {
    window.__printCalls = 0;
    window.print = () => { window.__printCalls += 1; };
  });
}
export const printCalls = (page) => page.evaluate(() => window.__printCalls ?? 0);

// The rows of an Invoice History table (table.invoices): number, href, pdfHref and the text
// of each cell, in page order.
export function invoiceRows(page) {
  return page.locator('table.invoices tbody tr').evaluateAll((trs) => trs.map((tr) => {
    const num = tr.querySelector('th a');
    const pdf = Array.from(tr.querySelectorAll('a')).find((a) => /\/pdf$/.test(a.getAttribute('href') || ''));
    return {
      number: num?.textContent.trim() ?? '',
      href: num?.getAttribute('href') ?? '',
      pdfHref: pdf?.getAttribute('href') ?? '',
      pdfText: pdf?.textContent.trim() ?? '',
      cells: Array.from(tr.children).map((c) => c.textContent.replace(/[\u00a0\u202f]/g, ' ').trim()),
    };
  }));
}

// How far the page is wider than the viewport (0 when nothing sticks out sideways), and the
// elements that stick out past the right edge.
export function horizontalOverflow(page) {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const over = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > vw + 1) {
        // Elements clipped by a scrolling/hidden box do not widen the page. An absolutely
        // positioned element is clipped only by such a box at or above its containing block
        // (the nearest positioned ancestor); a fixed one by none.
        const pos = getComputedStyle(el).position;
        let reachedCB = pos !== 'absolute' && pos !== 'fixed';
        let p = el.parentElement; let clipped = false;
        while (p && p !== document.documentElement && pos !== 'fixed') {
          const cs = getComputedStyle(p);
          if (!reachedCB && (cs.position !== 'static' || cs.transform !== 'none')) reachedCB = true;
          if (reachedCB && cs.overflowX !== 'visible') { clipped = true; break; }
          p = p.parentElement;
        }
        if (!clipped) over.push(`${el.tagName.toLowerCase()}${el.className ? `.${el.className}` : ''}: right ${Math.round(r.right)} > ${vw}`);
      }
    }
    return { extra: document.documentElement.scrollWidth - vw, elements: over.slice(0, 10) };
  });
}

// ---- stacked tables on a phone (table.stack) --------------------------------------------------

// Asserts that the element is visible and lies across the window, not off to its right (nor cut
// by the right edge): what a reader on a phone sees without scrolling sideways.
export async function assertInViewport(page, locator, what) {
  assert.ok(await locator.isVisible(), `${what} is visible`);
  const box = await locator.boundingBox();
  const width = await page.evaluate(() => document.documentElement.clientWidth);
  assert.ok(box && box.width > 0, `${what} has a box`);
  assert.ok(box.x >= 0 && box.x + box.width <= width,
    `${what} lies within the ${width} px wide window (left ${box.x}, right ${box.x + box.width})`);
}

// A table.stack as a phone shows it: the header row kept for screen readers but taking no room
// (not display:none), every body cell labelled with its column's header (data-label, shown before
// the value) but for cells holding only buttons or links to act on the row.
export async function checkStackedTable(page, selector, what) {
  const t = await page.locator(selector).evaluate((table) => {
    const heads = Array.from(table.querySelectorAll('thead th')).map((th) => th.textContent.trim());
    const thead = table.querySelector('thead');
    const box = thead.getBoundingClientRect();
    const rows = Array.from(table.querySelectorAll('tbody tr')).map((tr) =>
      Array.from(tr.children).map((c) => ({
        label: c.getAttribute('data-label'),
        shown: getComputedStyle(c, '::before').content,
        actions: c.querySelector('button, .row-actions') !== null,
      })));
    return { heads, rows, theadDisplay: getComputedStyle(thead).display, theadBox: [box.width, box.height] };
  });
  assert.notEqual(t.theadDisplay, 'none', `${what}: the header row stays for screen readers`);
  assert.ok(t.theadBox[0] <= 1 && t.theadBox[1] <= 1, `${what}: the header row takes no room (${t.theadBox})`);
  assert.ok(t.rows.length > 0, `${what}: rows`);
  for (const row of t.rows) {
    assert.equal(row.length, t.heads.length, `${what}: one cell per column`);
    row.forEach((c, i) => {
      if (c.actions) return;
      assert.equal(c.label, t.heads[i], `${what}: column ${i + 1}'s cells are labelled with its header`);
      assert.equal(c.shown, JSON.stringify(t.heads[i]), `${what}: column ${i + 1}'s label is shown`);
    });
  }
}
