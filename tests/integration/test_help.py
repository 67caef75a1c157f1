"""The help pages (/help, /help/SLUG): every article in every language, every link on them
answering, the contact options by who is reading, unknown slugs 404, text escaped, the links to
them from every page's footer and from both sign-in pages, and the build script's checks."""
import html
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from harness import html_lang

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
HELP = os.path.join(ROOT, "help")
HELP2C = os.path.join(ROOT, "tools", "help2c.py")
LANGS = ["en", "es", "fr", "it"]
# Pages other helpers are building at the same time: the help links to them, and the test
# checks the links are there instead of following them.
ELSEWHERE = {"/corporate/requests", "/care"}


def front(lang, slug):
    """The front matter of help/LANG/SLUG.md as a dict."""
    with open(os.path.join(HELP, lang, slug + ".md"), encoding="utf-8") as f:
        text = f.read()
    block = text.split("---\n")[1]
    return dict(line.split(": ", 1) for line in block.strip().splitlines())


SLUGS = sorted(n[:-3] for n in os.listdir(os.path.join(HELP, "en"))
               if n.endswith(".md") and n != "index.md")


class Page(HTMLParser):
    """The parts of a page the tests look at: h1s, title, links, text of the main element."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.h1, self.title, self.links, self._in = [], "", [], []
        self.main_text = ""
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self._in.append(tag)
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "h1":
            self.h1.append("")

    def handle_endtag(self, tag):
        while self._in and self._in.pop() != tag:
            pass

    def handle_data(self, data):
        if "h1" in self._in:
            self.h1[-1] += data
        if "title" in self._in:
            self.title += data
        if "main" in self._in:
            self.main_text += data


def in_lang(server, lang):
    c = server.client()
    c.set_cookie("cobro_lang", lang)
    return c


def test_01_every_article_in_every_language(server):
    for lang in LANGS:
        c = in_lang(server, lang)
        index = c.get("/help")
        assert index.status == 200, (lang, index.status)
        assert html_lang(index.text) == lang
        page = Page(index.text)
        assert len(page.h1) == 1 and page.h1[0] == front(lang, "index")["title"]
        for slug in SLUGS:
            assert "/help/" + slug in page.links, (lang, slug)
            r = c.get("/help/" + slug)
            assert r.status == 200, (lang, slug, r.status)
            assert html_lang(r.text) == lang
            art = Page(r.text)
            title = front(lang, slug)["title"]
            assert art.h1 == [title], (lang, slug, art.h1)
            assert art.title.startswith(title + " – "), (lang, slug, art.title)
            # The article is the language's own text, not the English one (titles differ).
            if lang != "en":
                assert title != front("en", slug)["title"], (lang, slug)


def test_02_every_internal_link_on_the_help_pages_answers(server):
    checked = {}
    for lang in LANGS:
        c = in_lang(server, lang)
        for path in ["/help"] + ["/help/" + s for s in SLUGS]:
            page = Page(c.get(path).text)
            for href in page.links:
                if not href.startswith("/") or href.startswith("/lang?"):
                    continue
                if href in ELSEWHERE:
                    continue
                if href not in checked:
                    checked[href] = c.get(href).status
                assert checked[href] == 200, (lang, path, href, checked[href])
    assert "/corporate" in checked and "/billing" in checked and "/help" in checked


def test_03_contact_options_by_reader(server):
    anonymous = server.client()
    corporate = server.client()
    assert corporate.sign_in_corporate("acme-billing").status == 303
    billing = server.client()
    assert billing.sign_in_billing("owner@initech.example").status == 303
    for slug in SLUGS:
        path = "/help/" + slug
        links = Page(anonymous.get(path).text).links
        assert "/care" in links and "/corporate/requests" not in links, slug
        assert "/corporate" in links, slug  # where a corporate billing contact signs in
        links = Page(corporate.get(path).text).links
        assert "/corporate/requests" in links and "/care" not in links, slug
        links = Page(billing.get(path).text).links
        assert "/care" in links and "/corporate/requests" not in links, slug


def test_04_unknown_slug_is_404(server):
    c = in_lang(server, "fr")
    for path in ["/help/nope", "/help/W9", "/help/w9/extra", "/help/", "/help/index",
                 "/help/%3Cscript%3E"]:
        r = c.get(path)
        assert r.status == 404, (path, r.status)
        assert html_lang(r.text) == "fr"
        assert "<script>" not in r.text


def test_05_text_is_escaped(server):
    # The English sign-in article quotes the portal's message in double quotes, the Italian one
    # has apostrophes: both reach the page as entities, and read back as written.
    r = server.client().get("/help/sign-in-corporate")
    assert "&quot;Invalid User ID/password&quot;" in r.text
    assert '"Invalid User ID/password"' in Page(r.text).main_text
    r = in_lang(server, "it").get("/help/sign-in-corporate")
    assert "L&#39;ID utente del portale" in r.text
    assert "L'ID utente del portale" not in r.text


def test_06_help_is_linked_from_every_footer_and_both_sign_in_pages(server):
    c = server.client()
    for path in ["/", "/corporate", "/billing", "/staff", "/corporate/forgot", "/help",
                 "/help/w9", "/nowhere"]:
        r = c.get(path)
        assert 'href="/help"' in r.text.split("<footer>", 1)[1], path
    assert "/help/sign-in-corporate" in Page(c.get("/corporate").text).links
    assert "/help/sign-in-billing-center" in Page(c.get("/billing").text).links
    assert "/help/sign-in-corporate" not in Page(c.get("/staff").text).links
    corporate = server.client()
    corporate.sign_in_corporate("acme-billing")
    assert 'href="/help"' in corporate.get("/corporate/account").text.split("<footer>", 1)[1]
    staff = server.client()
    staff.sign_in_staff("care@vendor.example")
    assert 'href="/help"' in staff.get("/staff/home").text.split("<footer>", 1)[1]


def test_07_language_switcher_stays_on_the_article(server):
    c = server.client()
    r = c.get("/lang?to=es&next=%2Fhelp%2Fbilling-frequency")
    assert r.status == 303 and r.location == "/help/billing-frequency"
    r = c.get("/help/billing-frequency")
    assert html_lang(r.text) == "es"
    assert Page(r.text).h1 == [front("es", "billing-frequency")["title"]]


# ---- tools/help2c.py: what it refuses and what it writes --------------------------------------


def _write(root, lang, name, text):
    os.makedirs(os.path.join(root, lang), exist_ok=True)
    with open(os.path.join(root, lang, name), "w", encoding="utf-8") as f:
        f.write(text)


def _book(root, body="Text.", langs=LANGS, index="## Group\n- a\n"):
    for lang in langs:
        _write(root, lang, "index.md", "---\ntitle: Help\n---\n" + index)
        _write(root, lang, "a.md", "---\ntitle: A\nsummary: S\n---\n" + body + "\n")


def _help2c(*args):
    return subprocess.run([sys.executable, HELP2C] + list(args), capture_output=True, text=True)


def test_08_help2c_refuses_a_broken_set(tmp_path):
    cases = {
        "missing-translation": (lambda d: _book(d, langs=["en", "es", "fr"]), "it"),
        "unknown-article-link": (lambda d: _book(d, body="See [b](/help/b)."), "no article 'b'"),
        "unlisted-article": (lambda d: (_book(d), [_write(d, l, "b.md",
                             "---\ntitle: B\nsummary: S\n---\nx\n") for l in LANGS]),
                             "'b' is not listed"),
        "foreign-link": (lambda d: _book(d, body="[x](javascript:alert(1))"), "link"),
        "html-heading": (lambda d: _book(d, body="# Title"), "headings"),
    }
    for name, (make, message) in cases.items():
        d = str(tmp_path / name)
        make(d)
        r = _help2c("--check", d)
        assert r.returncode == 1, (name, r.stdout, r.stderr)
        assert message in r.stderr, (name, r.stderr)


def test_09_help2c_writes_text_not_html(tmp_path):
    d = str(tmp_path / "ok")
    _book(d, body='Use <b>x</b> & "y" \\ ??= **bold** [link](/help/a).')
    out = str(tmp_path / "help.c")
    r = _help2c(out, d)
    assert r.returncode == 0, r.stderr
    c_text = open(out, encoding="ascii").read()
    # The writer's characters are kept as they are (escaped for C only), for the page to escape.
    assert r'"Use <b>x</b> & \"y\" \\ \077\077= "' in c_text
    assert '{HELP_SPAN_STRONG, "bold", NULL}' in c_text
    assert '{HELP_SPAN_LINK, "link", "/help/a"}' in c_text
