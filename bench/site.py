#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# bench/site.py: writes the HTTP benchmark's "planet" web site (static files for nginx or any
# server given a root) and its URL lists, for bench/run.sh (suite http) and anyone reproducing
# its figures.
#
# usage: site.py ROOT --port P [--blogs B] [--articles A] [--lists K ...] [--urls-dir D]
#                [--seed S]
#
# What ROOT holds (all text/html, UTF-8, deterministic for a given seed, so every run and
# every machine serves byte-identical pages):
#   /blog-K/index.html      K = 1..B. <title>Blog K</title> and a list of its A articles, each
#                           an <a class="article" href=...>. The first link is always written
#                           exactly as  <a class="article" href="/blog-K/article-1.html">  (a
#                           crawler may look for that); the others rotate through the forms a
#                           link extractor must cope with: root-relative "/blog-K/article-J.html",
#                           relative "article-J.html", "./article-J.html",
#                           "../blog-K/article-J.html", single-quoted, with the class attribute
#                           after href, and absolute "http://127.0.0.1:P/blog-K/article-J.html".
#                           About 2-3 KB with 20 articles.
#   /blog-K/article-J.html  J = 1..A. <title>Article J of blog K</title>, an <h1>, paragraphs
#                           of words (2-8 KB in all, the size drawn per page) and a link back
#                           to index.html.
#   /blog-K/notes.html      only for every tenth blog (K = 10, 20, ...): a page without any
#                           <title> element (the word "title" appears in its text, though), so
#                           that a title count can be checked exactly.
#   /hello.html             a small fixed page with a title (~150 bytes), for server benchmarks.
# and D (default ROOT) holds, for each K of --lists:
#   urls-K.txt              K lines, each an absolute http://127.0.0.1:P/... URL: 15% index
#                           pages, 80% articles, 5% untitled notes pages, drawn with the seed
#                           (the same page may appear more than once: separate fetches)
#   urls-K.expect           `fetched=K titles=T errors=0`, what a correct client reports
#                           (CONTRACT.md, "HTTP fetch client"; T = lines that are not notes)
# The port is in the lists and in the absolute links only; a list for another port is the same
# file with ":P/" replaced (bench/run.sh does that for its delayed server).
import argparse
import os
import random

WORDS = ("reactor deferred callback errback protocol factory transport event loop socket "
         "buffer latency throughput network server client request response header body "
         "planet blog article news release version asynchronous concurrency timer scheduler "
         "coroutine keep-alive connection pipeline chunk stream resolver cache proxy").split()


# Bytes of an article page outside its paragraphs (head, <h1>, link back), about.
ARTICLE_MARKUP = 250


def paragraph(rng, words):
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def body_text(rng, target):
    """Paragraphs of words: at most `target` bytes, and at least target - 700 (a paragraph is
    under 700 bytes), so that a page's size stays within the range it was drawn from."""
    parts, size = [], 0
    while True:
        p = "<p>%s</p>\n" % paragraph(rng, rng.randint(20, 90))
        if size + len(p) > target:
            return "".join(parts)
        parts.append(p)
        size += len(p)


def article_href(blog, j, port):
    """The j-th article link of blog `blog`, in one of the forms a crawler must resolve."""
    path = "/blog-%d/article-%d.html" % (blog, j)
    name = "article-%d.html" % j
    if j == 1:  # always this exact form: the documented anchor
        return '<a class="article" href="%s">' % path
    form = (j - 2) % 6
    if form == 0:
        return '<a class="article" href="%s">' % name
    if form == 1:
        return '<a class="article" href="./%s">' % name
    if form == 2:
        return '<a href="../blog-%d/%s" class="article">' % (blog, name)
    if form == 3:
        return "<a class='article' href='%s'>" % path
    if form == 4:
        return '<a class="article" href="http://127.0.0.1:%d%s">' % (port, path)
    return '<a class="article" href="%s">' % path


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description="the HTTP benchmark's planet site and URL lists")
    parser.add_argument("root", help="directory to write the site into (created if missing)")
    parser.add_argument("--port", type=int, required=True, help="port of 127.0.0.1 in URLs")
    parser.add_argument("--blogs", type=int, default=200, help="blogs (default 200)")
    parser.add_argument("--articles", type=int, default=20, help="articles per blog (default 20)")
    parser.add_argument("--lists", type=int, nargs="*", default=[1000, 10000], help="list lengths K")
    parser.add_argument("--urls-dir", help="where urls-K.txt go (default: ROOT)")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    if not 0 < args.port < 65536:
        parser.error("--port must be from 1 to 65535")
    if args.blogs < 10 or args.articles < 1:
        parser.error("--blogs must be at least 10 (notes pages are on every tenth) and --articles at least 1")
    if any(k < 1 for k in args.lists):
        parser.error("--lists wants lengths of at least 1")

    root = os.path.abspath(args.root)
    urls_dir = os.path.abspath(args.urls_dir or root)
    os.makedirs(root, exist_ok=True)
    os.makedirs(urls_dir, exist_ok=True)
    rng = random.Random(args.seed)

    write(os.path.join(root, "hello.html"),
          "<!DOCTYPE html>\n<html><head><title>Hello</title></head>\n"
          "<body><p>Hello from the weft benchmark site.</p></body></html>\n")
    for blog in range(1, args.blogs + 1):
        directory = os.path.join(root, "blog-%d" % blog)
        os.makedirs(directory, exist_ok=True)
        links = "".join("<li>%sArticle %d of blog %d</a></li>\n" % (article_href(blog, j, args.port), j, blog)
                        for j in range(1, args.articles + 1))
        notes = '<p><a href="notes.html">Notes</a></p>\n' if blog % 10 == 0 else ""
        write(os.path.join(directory, "index.html"),
              "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Blog %d</title></head>\n"
              "<body><h1>Blog %d</h1>\n<ul>\n%s</ul>\n%s%s</body></html>\n"
              % (blog, blog, links, notes, body_text(rng, 800)))
        for j in range(1, args.articles + 1):
            write(os.path.join(directory, "article-%d.html" % j),
                  "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Article %d of blog %d</title></head>\n"
                  "<body><h1>Article %d of blog %d</h1>\n%s<p><a href=\"index.html\">Blog %d</a></p>\n</body></html>\n"
                  % (j, blog, j, blog, body_text(rng, rng.randint(2048 + 700, 8192) - ARTICLE_MARKUP), blog))
        if blog % 10 == 0:
            # No <title> element anywhere: the word alone must not count as one.
            write(os.path.join(directory, "notes.html"),
                  "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n"
                  "<body><h1>Notes of blog %d</h1>\n<p>This page has no title element.</p>\n%s</body></html>\n"
                  % (blog, body_text(rng, 1024)))

    base = "http://127.0.0.1:%d" % args.port
    noted = list(range(10, args.blogs + 1, 10))
    for k in args.lists:
        lists_rng = random.Random("%d/%d" % (args.seed, k))  # each list independent of the others
        lines, titles = [], 0
        for _ in range(k):
            draw = lists_rng.random()
            if draw < 0.05:
                lines.append("%s/blog-%d/notes.html" % (base, lists_rng.choice(noted)))
                continue
            blog = lists_rng.randint(1, args.blogs)
            if draw < 0.20:
                lines.append("%s/blog-%d/index.html" % (base, blog))
            else:
                lines.append("%s/blog-%d/article-%d.html" % (base, blog, lists_rng.randint(1, args.articles)))
            titles += 1
        write(os.path.join(urls_dir, "urls-%d.txt" % k), "\n".join(lines) + "\n")
        write(os.path.join(urls_dir, "urls-%d.expect" % k), "fetched=%d titles=%d errors=0\n" % (k, titles))


if __name__ == "__main__":
    main()
