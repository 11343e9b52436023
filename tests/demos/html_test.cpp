// SPDX-License-Identifier: MIT
// findTitle, findLinks and findFirstArticleLink: on every page bench/site.py writes, on the
// sloppy and tricky HTML found on the web, and on 1 MB hostile inputs that a scan with any
// backtracking would take minutes over.
#include "demos/html.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <system_error>
#include <string>
#include <vector>

#include "tests/interop/run_program.h"

using weft::demos::findFirstArticleLink;
using weft::demos::findLinks;
using weft::demos::findTitle;

namespace {

using Links = std::vector<std::string>;

std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string repeat(std::string_view piece, std::size_t totalBytes) {
    std::string out;
    out.reserve(totalBytes + piece.size());
    while (out.size() < totalBytes) out += piece;
    return out;
}

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Blog 10's index page as bench/site.py writes it (--port 8080 --articles 8), cut short of its
// filler paragraph: every link form the site rotates through, and the notes link.
constexpr std::string_view SiteIndex =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Blog 10</title></head>\n"
    "<body><h1>Blog 10</h1>\n<ul>\n"
    "<li><a class=\"article\" href=\"/blog-10/article-1.html\">Article 1 of blog 10</a></li>\n"
    "<li><a class=\"article\" href=\"article-2.html\">Article 2 of blog 10</a></li>\n"
    "<li><a class=\"article\" href=\"./article-3.html\">Article 3 of blog 10</a></li>\n"
    "<li><a href=\"../blog-10/article-4.html\" class=\"article\">Article 4 of blog 10</a></li>\n"
    "<li><a class='article' href='/blog-10/article-5.html'>Article 5 of blog 10</a></li>\n"
    "<li><a class=\"article\" href=\"http://127.0.0.1:8080/blog-10/article-6.html\">Article 6 of blog 10</a></li>\n"
    "<li><a class=\"article\" href=\"/blog-10/article-7.html\">Article 7 of blog 10</a></li>\n"
    "<li><a class=\"article\" href=\"article-8.html\">Article 8 of blog 10</a></li>\n"
    "</ul>\n<p><a href=\"notes.html\">Notes</a></p>\n<p>Reactor deferred title article.</p>\n"
    "</body></html>\n";

// A fresh directory under the system's temporary one, removed with all it holds at scope exit
// (also when a REQUIRE ends the test early).
class TempDir {
public:
    TempDir() {
        std::string name = (std::filesystem::temp_directory_path() / "weft-html-test-XXXXXX").string();
        if (mkdtemp(name.data()) != nullptr) path_ = name;
    }
    ~TempDir() {
        std::error_code ignored;  // nothing to do about a directory that will not go
        if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace

TEST_CASE("demos/html: a site.py index page gives its title, its first article link and every link in order") {
    CHECK(findTitle(SiteIndex) == "Blog 10");
    CHECK(findFirstArticleLink(SiteIndex) == "/blog-10/article-1.html");
    CHECK(findLinks(SiteIndex) == Links{"/blog-10/article-1.html", "article-2.html", "./article-3.html",
                                        "../blog-10/article-4.html", "/blog-10/article-5.html",
                                        "http://127.0.0.1:8080/blog-10/article-6.html",
                                        "/blog-10/article-7.html", "article-8.html", "notes.html"});
}

TEST_CASE("demos/html: every page bench/site.py writes: titles exact, notes pages untitled, article links in order") {
    namespace fs = std::filesystem;
    const TempDir dir;
    REQUIRE(!dir.path().empty());
    const fs::path& root = dir.path();
    const int blogs = 20;
    const int articles = 8;
    auto run = weft::testing::runProgram({"/usr/bin/python3", std::string(WEFT_SOURCE_DIR) + "/bench/site.py",
                                          root.string(), "--port", "8080", "--blogs", std::to_string(blogs),
                                          "--articles", std::to_string(articles), "--lists", "1"});
    INFO("site.py: " << run.err);
    REQUIRE(run.exitCode == 0);

    CHECK(findTitle(readFile(root / "hello.html")) == "Hello");
    int pages = 1;
    for (int k = 1; k <= blogs; ++k) {
        CAPTURE(k);
        const fs::path blog = root / ("blog-" + std::to_string(k));
        const std::string index = readFile(blog / "index.html");
        REQUIRE(!index.empty());
        CHECK(findTitle(index) == "Blog " + std::to_string(k));
        CHECK(findFirstArticleLink(index) == "/blog-" + std::to_string(k) + "/article-1.html");
        const Links links = findLinks(index);
        REQUIRE(links.size() == static_cast<std::size_t>(articles + (k % 10 == 0 ? 1 : 0)));
        for (int j = 1; j <= articles; ++j) {
            CAPTURE(links[j - 1]);
            CHECK(endsWith(links[j - 1], "article-" + std::to_string(j) + ".html"));
        }
        if (k % 10 == 0) CHECK(links.back() == "notes.html");
        ++pages;
        for (int j = 1; j <= articles; ++j) {
            const std::string article = readFile(blog / ("article-" + std::to_string(j) + ".html"));
            CHECK(findTitle(article) == "Article " + std::to_string(j) + " of blog " + std::to_string(k));
            CHECK(findLinks(article) == Links{"index.html"});
            CHECK(findFirstArticleLink(article) == std::nullopt);
            ++pages;
        }
        if (k % 10 == 0) {
            const std::string notes = readFile(blog / "notes.html");
            REQUIRE(notes.find("title") != std::string::npos);  // the word is there, the element is not
            CHECK(findTitle(notes) == std::nullopt);
            ++pages;
        } else {
            CHECK(!fs::exists(blog / "notes.html"));
        }
    }
    CHECK(pages == 1 + blogs * (1 + articles) + blogs / 10);
}

TEST_CASE("demos/html: tag and attribute names in any case, attributes on <title>, whitespace collapsed") {
    CHECK(findTitle("<HTML><HEAD><TITLE>Loud</TITLE></HEAD></HTML>") == "Loud");
    CHECK(findTitle("<TiTlE lang=\"en\" dir=rtl>Mixed</tItLe>") == "Mixed");
    CHECK(findTitle("<title>\n   A  \t title\r\n  on\flines   </title>") == "A title on lines");
    CHECK(findTitle("<title/>Self-closing is ignored</title>") == "Self-closing is ignored");
    CHECK(findTitle("<title\n>Newline in the tag</title\n>") == "Newline in the tag");
    // Not a <title>: a longer name, or a tag that merely starts with it.
    CHECK(findTitle("<titles>no</titles><titlebar>no</titlebar>") == std::nullopt);
    CHECK(findFirstArticleLink("<A HREF=\"/x\" CLASS=\"article\">x</A>") == "/x");
    CHECK(findLinks("<abbr href=\"/no\"></abbr><area href=\"/no\"><a href=/yes>") == Links{"/yes"});
}

TEST_CASE("demos/html: the first <title> wins, and nothing after its end tag is part of it") {
    CHECK(findTitle("<title>One</title><title>Two</title>") == "One");
    CHECK(findTitle("<title>One</title >rest</title>") == "One");
    CHECK(findTitle("<title>One</title/>rest") == "One");
    // "</titles" is not its end tag; a '<' that starts no end tag is text (title is RCDATA).
    CHECK(findTitle("<title>a </titles> b</title>") == "a </titles> b");
    CHECK(findTitle("<title>1 < 2 <b>bold</b></title>") == "1 < 2 <b>bold</b>");
}

TEST_CASE("demos/html: comments, <script>, <style> and <textarea> hide fake titles and links") {
    CHECK(findTitle("<!-- <title>Fake</title> --><title>Real</title>") == "Real");
    CHECK(findTitle("<!--<title>Fake</title>--><p>no title</p>") == std::nullopt);
    CHECK(findTitle("<!----><!---><!--><title>After empty comments</title>") == "After empty comments");
    CHECK(findTitle("<!-- a -- b --><title>Dashes inside</title>") == "Dashes inside");
    CHECK(findTitle("<!-- never closed <title>Fake</title>") == std::nullopt);
    CHECK(findTitle("<script>document.write('<title>Fake</title>')</script><title>Real</title>") == "Real");
    CHECK(findTitle("<SCRIPT type=\"text/javascript\">var s = \"</scriptx><title>Fake</title>\";</SCRIPT >"
                    "<title>Real</title>") == "Real");
    CHECK(findTitle("<style>/* <title>Fake</title> */</style><title>Real</title>") == "Real");
    CHECK(findTitle("<textarea><title>Fake</title></textarea><title>Real</title>") == "Real");
    CHECK(findTitle("<script>never closed <title>Fake</title>") == std::nullopt);
    CHECK(findTitle("<!DOCTYPE html><?xml version=\"1.0\"?><title>Past the prolog</title>") == "Past the prolog");

    const std::string_view page =
        "<!-- <a class=\"article\" href=\"/commented\"> -->"
        "<script>var a = '<a class=\"article\" href=\"/scripted\">';</script>"
        "<title><a class=\"article\" href=\"/in-title\"></title>"
        "<a class=\"article\" href=\"/real\">";
    CHECK(findFirstArticleLink(page) == "/real");
    CHECK(findLinks(page) == Links{"/real"});
}

TEST_CASE("demos/html: character references in titles and hrefs") {
    CHECK(findTitle("<title>Tom &amp; Jerry &lt;3 &gt; &quot;cats&quot; &#39;n&apos; mice</title>") ==
          "Tom & Jerry <3 > \"cats\" 'n' mice");
    CHECK(findTitle("<title>&#65;&#x42;&#X43;&#100 &#xe9; &#8364; &#x1F600;</title>") == "ABCd \u00e9 \u20ac \U0001F600");
    CHECK(findTitle("<title>&AMP;&LT;&GT;&QUOT;</title>") == "&<>\"");
    CHECK(findTitle("<title>a&nbsp;b</title>") == "a\u00A0b");  // not ASCII whitespace: kept
    // Not references: left as written.
    CHECK(findTitle("<title>AT&T &unknown; &# &#x; &amp</title>") == "AT&T &unknown; &# &#x; &amp");
    // Out of range, zero and surrogates become U+FFFD; a huge number is clamped, not wrapped.
    CHECK(findTitle("<title>&#0;&#xD800;&#x110000;&#99999999999999999999;</title>") ==
          "\uFFFD\uFFFD\uFFFD\uFFFD");
    // Decoding comes before collapsing: an encoded newline is whitespace like any other.
    CHECK(findTitle("<title>&#32;a&#10;&#10;b&#9;</title>") == "a b");

    CHECK(findFirstArticleLink("<a class=\"article\" href=\"/search?q=a&amp;page=2&#38;x=&#x31;\">") ==
          "/search?q=a&page=2&x=1");
    CHECK(findLinks("<a href=\"  /padded\n/path\t \">") == Links{"/padded/path"});
}

TEST_CASE("demos/html: a missing </title> ends the title at the next '<' or the end of the input") {
    CHECK(findTitle("<title>Sloppy page</head><body><p>text</p>") == "Sloppy page");
    CHECK(findTitle("<html><title>  Cut off  ") == "Cut off");
    CHECK(findTitle("<title>Before a link<a class=\"article\" href=\"/a\">") == "Before a link");
    // The link after an unclosed title is still found.
    CHECK(findFirstArticleLink("<title>Before a link<a class=\"article\" href=\"/a\">") == "/a");
}

TEST_CASE("demos/html: an empty <title> is present and empty; no <title> element is nullopt") {
    CHECK(findTitle("<title></title>") == std::string());
    CHECK(findTitle("<title>  \n\t </title>") == std::string());
    CHECK(findTitle("<title>") == std::string());
    CHECK(findTitle("<html><head></head><body>the title is missing</body></html>") == std::nullopt);
    CHECK(findTitle("") == std::nullopt);
    CHECK(findLinks("").empty());
    CHECK(findFirstArticleLink("") == std::nullopt);
    // A tag cut off by the end of the input is dropped, as browsers drop it.
    CHECK(findTitle("<p>text<title") == std::nullopt);
    CHECK(findTitle("<p>text<title lang=\"en") == std::nullopt);
    CHECK(findLinks("<a href=\"/ok\">x</a><a href=\"/cut") == Links{"/ok"});
}

TEST_CASE("demos/html: the article class is a token of the class list, in any attribute order and quoting") {
    CHECK(findFirstArticleLink("<a class=\"post article big\" href=\"/1\">") == "/1");
    CHECK(findFirstArticleLink("<a href='/2' class='article'>") == "/2");
    CHECK(findFirstArticleLink("<a class=article href=/3>") == "/3");
    CHECK(findFirstArticleLink("<a\nclass = \"\tarticle\n\" \n href\n=\n\"/4\">") == "/4");
    CHECK(findFirstArticleLink("<a id=x data-x=\"1 > 0\" class=\"big article\" title='a \"b\"' href=\"/5\">") == "/5");
    // Not the token: other words that contain it, another case, another attribute.
    CHECK(findFirstArticleLink("<a class=\"articles\" href=\"/n1\"><a class=\"my-article\" href=\"/n2\">"
                               "<a class=\"Article\" href=\"/n3\"><a data-class=\"article\" href=\"/n4\">"
                               "<a title=\"article\" href=\"/n5\"><div class=\"article\" href=\"/n6\">") == std::nullopt);
    // The first matching <a> counts, even after plain links; one with no href is passed over.
    CHECK(findFirstArticleLink("<a href=\"/home\">home</a><a class=\"article\">no href</a>"
                               "<a class=\"article\" href=\"/first\"><a class=\"article\" href=\"/second\">") == "/first");
    // The first of two attributes with one name wins, as in the HTML tokenizer.
    CHECK(findFirstArticleLink("<a class=\"article\" class=\"other\" href=\"/a\" href=\"/b\">") == "/a");
    CHECK(findFirstArticleLink("<a class=\"other\" class=\"article\" href=\"/a\">") == std::nullopt);
    // An empty href is present (it names the page itself).
    CHECK(findFirstArticleLink("<a class=\"article\" href=\"\">") == std::string());
    // A bare value ends at whitespace or '>', so a trailing '/' is part of it.
    CHECK(findLinks("<a href=/dir/>x</a><a href=/page.html/ >y</a>") == Links{"/dir/", "/page.html/"});
}

TEST_CASE("demos/html: end tags, stray '<' and odd markup do not hide the links after them") {
    const std::string_view page =
        "<p>1 < 2 and 3 <= 4 << 5</p></ a stray ></><p/>"
        "</div class=\"x > y\"><a href=\"/after-end-tags\">"
        "<![CDATA[ <a href=\"/in-cdata\"> ]]><a href=\"/after-cdata\">";
    // "<![CDATA[" is a bogus comment up to its first '>', so the '<a' inside is skipped with it.
    CHECK(findLinks(page) == Links{"/after-end-tags", "/after-cdata"});
}

// Each input is 1 MB. A scan that restarts from every '<', or searches to the end for each of
// thousands of unclosed tags, is quadratic: minutes here. The time limit is 100x what linear
// needs even under sanitizers; it separates O(n) from O(n^2), it is no speed claim.
TEST_CASE("demos/html: 1 MB hostile inputs finish in linear time" * doctest::timeout(20)) {
    constexpr std::size_t MB = 1 << 20;
    const std::string lessThans = repeat("<", MB);
    CHECK(findTitle(lessThans) == std::nullopt);
    CHECK(findLinks(lessThans).empty());

    const std::string openAnchors = repeat("<a class=", MB);  // one endless tag: dropped
    CHECK(findFirstArticleLink(openAnchors) == std::nullopt);
    CHECK(findLinks(openAnchors).empty());
    CHECK(findTitle(openAnchors) == std::nullopt);
    // Closed at last, it is one <a> whose class is "<a" (a bare value), the rest duplicates.
    CHECK(findLinks(openAnchors + "x href=/end>") == Links{"/end"});
    CHECK(findFirstArticleLink(openAnchors + "x href=/end>") == std::nullopt);

    const std::string articleAnchors = repeat("<a class=article href=/x ", MB) + ">";
    CHECK(findFirstArticleLink(articleAnchors) == "/x");

    const std::string titles = repeat("<title>", MB);  // never closed: each ends at the next '<'
    CHECK(findTitle(titles) == std::string());
    CHECK(findLinks(titles + "<a href=/y>") == Links{"/y"});

    const std::string scripts = repeat("<script>x</scrip", MB);
    CHECK(findLinks(scripts + "<a href=/z>") == Links{});  // one script, never closed
    CHECK(findLinks(scripts + "</script><a href=/z>") == Links{"/z"});

    CHECK(findTitle(repeat("<!--", MB) + "--><title>t</title>") == "t");
    CHECK(findTitle(repeat("</", MB)) == std::nullopt);
    CHECK(findTitle(repeat("<!", MB)) == std::nullopt);
    // Quotes pair up: one <a> whose href is "<a href=", then attributes "<a" and href.
    const std::string openQuotes = repeat("<a href=\"<a href=\"", MB);
    CHECK(findLinks(openQuotes).empty());
    CHECK(findLinks(openQuotes + ">") == Links{"<a href="});
    CHECK(findLinks(openQuotes + "<a href=\">").empty());  // the last quote never closes
    CHECK(findLinks(repeat("<a h", MB) + ">").empty());      // a million attributes, no href

    std::string manyAttributes = "<a ";
    for (int i = 0; manyAttributes.size() < MB; ++i) manyAttributes += "a" + std::to_string(i) + "=1 ";
    CHECK(findLinks(manyAttributes + "href=/last>") == Links{"/last"});

    const std::string references = "<title>" + repeat("&amp;&#x41;&#", MB) + "</title>";
    const std::optional<std::string> decoded = findTitle(references);
    REQUIRE(decoded);
    CHECK(decoded->size() == (MB / 13 + 1) * 4);  // each piece "&A&#" is 4 bytes
    CHECK(decoded->substr(0, 8) == "&A&#&A&#");

    const std::string digits = "<title>&#" + repeat("9", MB) + ";</title>";
    CHECK(findTitle(digits) == "\uFFFD");
}
