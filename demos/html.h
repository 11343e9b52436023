// SPDX-License-Identifier: MIT
// demos/html.h: a page's title and its links, read from HTML as found on the web, with no HTML
// library; all the crawler demos need.
// Tests: tests/demos/html_test.cpp
//
//   auto title = weft::demos::findTitle(page);               // "Blog 7", or nullopt
//   auto next = weft::demos::findFirstArticleLink(page);     // "/blog-7/article-1.html"
//
// The scan follows the HTML tokenizer where it matters for these answers: tag and attribute
// names are ASCII case-insensitive, attribute values may be double-quoted, single-quoted or
// bare, the first of two attributes with one name wins, and nothing inside a comment, a
// <script>, a <style>, a <textarea> or the <title> itself counts as a tag. It is tolerant where
// pages are sloppy: a <title> with no </title> ends at the next '<'. A tag cut off by the end of
// the input is dropped, as browsers drop it. Character references decoded: &amp; &lt; &gt;
// &quot; &apos; &nbsp; (and the upper-case AMP, LT, GT, QUOT), and every &#NNN; and &#xHH;
// (the ';' optional for numeric ones). Every function takes time linear in the input's size,
// whatever the input, and never throws on malformed HTML.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::demos {

// The text of the first <title> element: references decoded, runs of ASCII whitespace made one
// space, leading and trailing whitespace dropped. "" for an empty <title></title>; nullopt if
// the page has no <title> element at all.
std::optional<std::string> findTitle(std::string_view html);

// The href of every <a> that has one, in document order: references decoded, leading and
// trailing ASCII whitespace and any tab or newline dropped (as a URL parser would). Not
// resolved: relative hrefs stay relative.
std::vector<std::string> findLinks(std::string_view html);

// The href (as findLinks gives it) of the first <a> whose class list holds the token "article"
// ("post article big" does, "articles" does not; tokens compare case-sensitively, as CSS class
// selectors do in a standards-mode page). nullopt if no such <a> has an href.
std::optional<std::string> findFirstArticleLink(std::string_view html);

}  // namespace weft::demos
