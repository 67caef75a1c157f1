#!/usr/bin/env python3
"""Compiles the help articles help/{en,es,fr,it}/*.md into one C file of tables (build step).

The articles are written in a small Markdown-like format (docs/help.md). This script only
splits them into blocks and inline spans: it writes no HTML, so every character a writer
types reaches the page through the renderer's escaping (src/web/help.c). It refuses, with the
file and line, what would make a broken page: a slug missing in one language, a link to an
article that does not exist, an article missing from the index, an unknown front-matter key.

Usage: help2c.py OUTPUT.c HELP_DIR [DEPFILE]   (or: help2c.py --check HELP_DIR)
"""
import os
import re
import sys

LANGS = ["en", "es", "fr", "it"]  # the order of lang_t (src/i18n/i18n.h)
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ARTICLE_KEYS = {"title", "summary", "related"}
INDEX_KEYS = {"title", "intro"}


class HelpError(Exception):
    pass


def fail(path, line, msg):
    raise HelpError(f"{path}:{line}: {msg}")


def read_front(path, lines, keys):
    """Parses the '---' front matter; returns (dict, index of the first body line)."""
    if not lines or lines[0].strip() != "---":
        fail(path, 1, "the file must start with a '---' line (front matter)")
    front = {}
    for i in range(1, len(lines)):
        s = lines[i].rstrip("\n")
        if s.strip() == "---":
            for k in keys - {"related", "intro"}:
                if k not in front:
                    fail(path, 1, f"missing '{k}:' in the front matter")
            return front, i + 1
        if not s.strip():
            continue
        m = re.match(r"^([a-z]+):\s*(.*)$", s)
        if not m:
            fail(path, i + 1, "expected 'key: value' in the front matter")
        k, v = m.group(1), m.group(2).strip()
        if k not in keys:
            fail(path, i + 1, f"unknown key '{k}' (known: {', '.join(sorted(keys))})")
        if not v:
            fail(path, i + 1, f"'{k}:' is empty")
        front[k] = v
    fail(path, len(lines), "the front matter has no closing '---' line")


INLINE_RE = re.compile(r"\*\*(.+?)\*\*|\[([^\]]+)\]\(([^)\s]+)\)")


def spans_of(path, lineno, text, links):
    """Splits one block's text into (kind, text, href) spans: text, strong, link."""
    out, pos = [], 0
    for m in INLINE_RE.finditer(text):
        if m.start() > pos:
            out.append(("TEXT", text[pos:m.start()], None))
        if m.group(1) is not None:
            out.append(("STRONG", m.group(1), None))
        else:
            href = m.group(3)
            if not (href.startswith("/") and not href.startswith("//")) and not href.startswith(
                    "https://"):
                fail(path, lineno, f"link '{href}': use a path of this site (/help/...) or https://")
            links.append((lineno, href))
            out.append(("LINK", m.group(2), href))
        pos = m.end()
    if pos < len(text):
        out.append(("TEXT", text[pos:], None))
    for kind, t, _ in out:
        if "**" in t or "](" in t:
            fail(path, lineno, "unbalanced '**' or link markup")
    return out


def parse_body(path, lines, start):
    """Returns (blocks, links): blocks are (kind, spans); links (line, href)."""
    blocks, links = [], []
    para, para_line, para_kind = [], 0, None

    def flush():
        nonlocal para, para_kind
        if para:
            blocks.append((para_kind, spans_of(path, para_line, " ".join(para), links)))
        para, para_kind = [], None

    for i in range(start, len(lines)):
        n = i + 1
        s = lines[i].rstrip("\n").strip()
        if not s:
            flush()
            continue
        if "\t" in s or any(ord(c) < 32 for c in s):
            fail(path, n, "control character (a tab?) in the text")
        m_h = re.match(r"^(#{2,3})\s+(.+)$", s)
        m_ul = re.match(r"^[-*]\s+(.+)$", s)
        m_ol = re.match(r"^\d+\.\s+(.+)$", s)
        m_note = re.match(r"^>\s*(.+)$", s)
        if s.startswith("#") and not m_h:
            fail(path, n, "headings are '## ' (section) or '### ' (sub-section); the page title "
                          "is the front matter's title")
        if m_h:
            flush()
            kind = "H2" if len(m_h.group(1)) == 2 else "H3"
            blocks.append((kind, spans_of(path, n, m_h.group(2), links)))
        elif m_ul or m_ol:
            flush()
            para, para_line, para_kind = [(m_ul or m_ol).group(1)], n, "UL" if m_ul else "OL"
        elif m_note:
            if para_kind != "NOTE":
                flush()
                para_line, para_kind = n, "NOTE"
            para.append(m_note.group(1))
        else:
            if para_kind is None:
                para_line, para_kind = n, "P"
            para.append(s)  # a continuation line of the paragraph or list item
    flush()
    return blocks, links


def parse_file(path, keys):
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    front, start = read_front(path, lines, keys)
    blocks, links = parse_body(path, lines, start)
    return front, blocks, links


def load(help_dir):
    books = {}
    for lang in LANGS:
        d = os.path.join(help_dir, lang)
        if not os.path.isdir(d):
            raise HelpError(f"{d}: missing (every language has its folder)")
        arts = {}
        for name in sorted(os.listdir(d)):
            if not name.endswith(".md") or name == "index.md":
                continue
            slug = name[:-3]
            path = os.path.join(d, name)
            if not SLUG_RE.match(slug):
                fail(path, 1, "a file name is the article's slug: lowercase letters, digits, '-'")
            front, blocks, links = parse_file(path, ARTICLE_KEYS)
            related = [x.strip() for x in front.get("related", "").split(",") if x.strip()]
            arts[slug] = {"path": path, "front": front, "blocks": blocks, "links": links,
                          "related": related}
        ipath = os.path.join(d, "index.md")
        if not os.path.exists(ipath):
            raise HelpError(f"{ipath}: missing (the index of the articles)")
        ifront, iblocks, ilinks = parse_file(ipath, INDEX_KEYS)
        books[lang] = {"articles": arts, "index": (ipath, ifront, iblocks, ilinks)}
    check(books)
    return books


def check(books):
    slugs = set(books["en"]["articles"])
    for lang in LANGS:
        have = set(books[lang]["articles"])
        for s in sorted(slugs - have):
            raise HelpError(f"help/{lang}/{s}.md: missing (help/en/{s}.md exists)")
        for s in sorted(have - slugs):
            raise HelpError(f"help/en/{s}.md: missing (help/{lang}/{s}.md exists)")
    for lang in LANGS:
        arts = books[lang]["articles"]
        for slug, a in arts.items():
            for lineno, href in a["links"]:
                check_link(a["path"], lineno, href, arts)
            for r in a["related"]:
                if r not in arts or r == slug:
                    fail(a["path"], 1, f"related: '{r}' is not another article")
        ipath, ifront, iblocks, ilinks = books[lang]["index"]
        for lineno, href in ilinks:
            check_link(ipath, lineno, href, arts)
        listed = []
        for kind, spans in iblocks:
            if kind == "UL":
                if len(spans) != 1 or spans[0][0] != "TEXT" or spans[0][1].strip() not in arts:
                    fail(ipath, 1, f"an index list item names one article's slug: "
                                   f"'{''.join(s[1] for s in spans)}'")
                listed.append(spans[0][1].strip())
            elif kind not in ("H2",):
                fail(ipath, 1, "the index holds '## Group' headings and '- slug' items only "
                               "(its introduction is the front matter's intro)")
        if iblocks and iblocks[0][0] != "H2":
            fail(ipath, 1, "the index starts with a '## Group' heading")
        for s in sorted(set(arts) - set(listed)):
            fail(ipath, 1, f"article '{s}' is not listed")
        if len(listed) != len(set(listed)):
            fail(ipath, 1, "an article is listed twice")
        if lang != "en" and listed != listed_of(books["en"]):
            fail(ipath, 1, "the articles are listed in another order than in help/en/index.md")


def listed_of(book):
    return [sp[0][1].strip() for k, sp in book["index"][2] if k == "UL"]


def check_link(path, lineno, href, arts):
    if href.startswith("/help/"):
        target = href[len("/help/"):].split("#")[0]
        if target not in arts:
            fail(path, lineno, f"link to '{href}': there is no article '{target}'")


def c_str(s):
    if s is None:
        return "NULL"
    out = ['"']
    for byte in s.encode("utf-8"):
        c = chr(byte)
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif 32 <= byte < 127 and c != "?":  # '?' escaped: no trigraphs
            out.append(c)
        else:
            out.append("\\%03o" % byte)
    out.append('"')
    return "".join(out)


def emit(books, out_path):
    o = ["/* Generated by tools/help2c.py from help/LANG/NAME.md: do not edit. */",
         '#include "web/help_data.h"', ""]
    n = 0

    def emit_blocks(blocks):
        nonlocal n
        names = []
        for kind, spans in blocks:
            n += 1
            name = f"s{n}"
            o.append(f"static const help_span_t {name}[] = {{")
            for sk, text, href in spans:
                o.append(f"    {{HELP_SPAN_{sk}, {c_str(text)}, {c_str(href)}}},")
            o.append("};")
            names.append((kind, name, len(spans)))
        n += 1
        bname = f"b{n}"
        o.append(f"static const help_block_t {bname}[] = {{")
        for kind, name, count in names:
            o.append(f"    {{HELP_BLOCK_{kind}, {name}, {count}}},")
        if not names:
            o.append("    {HELP_BLOCK_P, NULL, 0},")
        o.append("};")
        return bname, len(names)

    book_names = []
    for lang in LANGS:
        b = books[lang]
        order = listed_of(b)
        art_names = []
        for slug in order:
            a = b["articles"][slug]
            bname, count = emit_blocks(a["blocks"])
            n += 1
            rname = f"r{n}"
            o.append(f"static const char *const {rname}[] = {{" +
                     "".join(c_str(x) + ", " for x in a["related"]) + "NULL};")
            art_names.append((slug, a, bname, count, rname))
        n += 1
        aname = f"a{n}"
        o.append(f"static const help_article_t {aname}[] = {{")
        for slug, a, bname, count, rname in art_names:
            o.append(f"    {{{c_str(slug)}, {c_str(a['front']['title'])}, "
                     f"{c_str(a['front']['summary'])}, {bname}, {count}, {rname}, "
                     f"{len(a['related'])}}},")
        o.append("};")
        # The index: its groups, each the articles listed under its heading.
        ipath, ifront, iblocks, _ = b["index"]
        groups, cur = [], None
        for kind, spans in iblocks:
            if kind == "H2":
                cur = ["".join(s[1] for s in spans), []]
                groups.append(cur)
            else:
                cur[1].append(order.index(spans[0][1].strip()))
        gnames = []
        for heading, idx in groups:
            n += 1
            gname = f"g{n}"
            o.append(f"static const unsigned {gname}[] = {{" +
                     ", ".join(str(i) for i in idx) + "};")
            gnames.append((heading, gname, len(idx)))
        n += 1
        grname = f"G{n}"
        o.append(f"static const help_group_t {grname}[] = {{")
        for heading, gname, count in gnames:
            o.append(f"    {{{c_str(heading)}, {gname}, {count}}},")
        o.append("};")
        book_names.append((lang, ifront, aname, len(art_names), grname, len(gnames)))
    o.append("const help_book_t help_books[HELP_LANGS] = {")
    for lang, ifront, aname, count, grname, gcount in book_names:
        o.append(f"    {{{c_str(lang)}, {c_str(ifront['title'])}, {c_str(ifront.get('intro'))}, "
                 f"{aname}, {count}, {grname}, {gcount}}},")
    o.append("};")
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write("\n".join(o) + "\n")
    os.replace(tmp, out_path)


def write_depfile(dep_path, out_path, help_dir):
    """Every file and folder the output was made from (a folder: an article added or removed)."""
    deps = [help_dir]
    for lang in LANGS:
        d = os.path.join(help_dir, lang)
        deps.append(d)
        deps += [os.path.join(d, n) for n in sorted(os.listdir(d)) if n.endswith(".md")]
    esc = lambda p: p.replace(" ", "\\ ")
    with open(dep_path, "w", encoding="utf-8") as f:
        f.write(esc(out_path) + ": " + " ".join(esc(p) for p in deps) + "\n")


def main(argv):
    try:
        if len(argv) == 3 and argv[1] == "--check":
            load(argv[2])
            return 0
        if len(argv) not in (3, 4):
            print(__doc__, file=sys.stderr)
            return 2
        emit(load(argv[2]), argv[1])
        if len(argv) == 4:
            write_depfile(argv[3], argv[1], argv[2])
        return 0
    except HelpError as e:
        print(f"help2c: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
