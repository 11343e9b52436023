// SPDX-License-Identifier: MIT
// demos/html.cpp: one forward scan over the page that yields start tags, a small slice of the
// HTML tokenizer rather than a parser: no tree, no regex, no allocation per tag. Positions
// only move forward, and each raw-text end-tag search is remembered, so hostile input costs
// linear time (a search from every <title> of "<title><title>..." to the end would not).
// Tests: tests/demos/html_test.cpp
#include "demos/html.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

namespace weft::demos {
namespace {

constexpr std::size_t npos = std::string_view::npos;

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

bool isAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// `text` equals `lowerName` (written in lower case), ignoring ASCII case.
bool named(std::string_view text, std::string_view lowerName) {
    if (text.size() != lowerName.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i)
        if (lower(text[i]) != lowerName[i]) return false;
    return true;
}

// Elements whose content is text, not tags, up to their own end tag: script and style (raw
// text) and title and textarea (escapable raw text: references count, tags do not).
constexpr std::array<std::string_view, 4> TextElements = {"script", "style", "title", "textarea"};

struct StartTag {
    std::string_view name;                  // as written; compare with named()
    std::optional<std::string_view> href;   // raw values, references not yet decoded
    std::optional<std::string_view> cls;
    std::optional<std::string_view> text;   // the content, for a TextElements element
};

class Scanner {
public:
    explicit Scanner(std::string_view html) : html_(html) {}

    // The next start tag, or nullopt once the input is used up.
    std::optional<StartTag> next() {
        const std::size_t n = html_.size();
        while (pos_ < n) {
            const std::size_t lt = html_.find('<', pos_);
            if (lt == npos || lt + 1 >= n) break;
            pos_ = lt + 1;
            const char c = html_[pos_];
            if (isAlpha(c)) {
                StartTag tag;
                if (!readTag(tag)) break;
                readText(tag);
                return tag;
            }
            if (c == '/') {
                ++pos_;
                StartTag endTag;  // its attributes are read only so that a quoted '>' is skipped
                if (pos_ < n && isAlpha(html_[pos_])) {
                    if (!readTag(endTag)) break;
                } else {
                    skipPast(">");  // "</>" is nothing, "</ x>" a bogus comment
                }
            } else if (c == '!') {
                ++pos_;
                if (html_.substr(pos_).starts_with("--")) {
                    pos_ += 2;
                    skipComment();
                } else {
                    skipPast(">");  // <!DOCTYPE ...>, <![CDATA[...]]>: up to the first '>'
                }
            } else if (c == '?') {
                skipPast(">");
            }
            // Anything else after '<' ("<<", "< 3", "<=") is text; scanning goes on after it.
        }
        pos_ = n;
        return std::nullopt;
    }

private:
    void skipPast(std::string_view end) {
        const std::size_t at = html_.find(end, pos_);
        pos_ = at == npos ? html_.size() : at + end.size();
    }

    // After "<!--": "<!-->" and "<!--->" are whole (empty) comments, as in the HTML tokenizer;
    // otherwise up to "-->", or the end of the input.
    void skipComment() {
        std::string_view rest = html_.substr(pos_);
        if (rest.starts_with(">")) {
            pos_ += 1;
        } else if (rest.starts_with("->")) {
            pos_ += 2;
        } else {
            skipPast("-->");
        }
    }

    // Reads a tag's name and attributes from pos_ (its first letter) through its '>'. False if
    // the input ends first: the tag is dropped, as browsers drop it.
    bool readTag(StartTag& tag) {
        const std::size_t n = html_.size();
        const std::size_t nameStart = pos_;
        while (pos_ < n && !isSpace(html_[pos_]) && html_[pos_] != '/' && html_[pos_] != '>') ++pos_;
        tag.name = html_.substr(nameStart, pos_ - nameStart);
        for (;;) {
            while (pos_ < n && (isSpace(html_[pos_]) || html_[pos_] == '/')) ++pos_;
            if (pos_ >= n) return false;
            if (html_[pos_] == '>') {
                ++pos_;
                return true;
            }
            // The first character belongs to the name whatever it is (even '=').
            const std::size_t attrStart = pos_++;
            while (pos_ < n && !isSpace(html_[pos_]) && html_[pos_] != '/' && html_[pos_] != '>' &&
                   html_[pos_] != '=')
                ++pos_;
            const std::string_view attr = html_.substr(attrStart, pos_ - attrStart);
            while (pos_ < n && isSpace(html_[pos_])) ++pos_;
            std::string_view value;
            if (pos_ < n && html_[pos_] == '=') {
                ++pos_;
                while (pos_ < n && isSpace(html_[pos_])) ++pos_;
                if (pos_ >= n) return false;
                const char quote = html_[pos_];
                if (quote == '"' || quote == '\'') {
                    const std::size_t close = html_.find(quote, pos_ + 1);
                    if (close == npos) return false;
                    value = html_.substr(pos_ + 1, close - pos_ - 1);
                    pos_ = close + 1;
                } else {
                    const std::size_t valueStart = pos_;
                    while (pos_ < n && !isSpace(html_[pos_]) && html_[pos_] != '>') ++pos_;
                    value = html_.substr(valueStart, pos_ - valueStart);
                }
            }
            // Only two names are ever asked about, so nothing is stored per attribute: a tag of
            // a million distinct attributes costs no more than its bytes.
            if (!tag.href && named(attr, "href")) {
                tag.href = value;
            } else if (!tag.cls && named(attr, "class")) {
                tag.cls = value;
            }
        }
    }

    // For a TextElements tag, takes its content and leaves pos_ at its end tag's '<', so that
    // next() reads (and skips) the end tag. A missing end tag: script and style run to the end
    // of the input, as browsers run them; title and textarea end at the next '<', so that one
    // sloppy "<title>Home" does not swallow the page.
    void readText(StartTag& tag) {
        for (std::size_t i = 0; i < TextElements.size(); ++i) {
            if (!named(tag.name, TextElements[i])) continue;
            const bool rawText = i < 2;  // script or style
            std::size_t end = findEndTag(i);
            if (end == npos) end = rawText ? html_.size() : std::min(html_.find('<', pos_), html_.size());
            tag.text = html_.substr(pos_, end - pos_);
            pos_ = end;
            return;
        }
    }

    // Where the first "</name" (name = TextElements[i], any case) that is an end tag (followed
    // by whitespace, '/' or '>') starts at or after pos_; npos if none. A result is remembered
    // until pos_ passes it, so each element's search crosses any byte at most once.
    std::size_t findEndTag(std::size_t i) {
        EndTagSearch& memo = endTags_[i];
        if (memo.searched && memo.from <= pos_ && (memo.at == npos || memo.at >= pos_)) return memo.at;
        const std::string_view name = TextElements[i];
        const std::size_t n = html_.size();
        std::size_t at = pos_;
        for (;;) {
            at = html_.find("</", at);
            if (at == npos) break;
            const std::size_t after = at + 2 + name.size();
            if (after < n && named(html_.substr(at + 2, name.size()), name) &&
                (isSpace(html_[after]) || html_[after] == '/' || html_[after] == '>'))
                break;
            at += 2;
        }
        memo = {true, pos_, at};
        return at;
    }

    struct EndTagSearch {
        bool searched = false;
        std::size_t from = 0;
        std::size_t at = npos;
    };

    std::string_view html_;
    std::size_t pos_ = 0;
    std::array<EndTagSearch, TextElements.size()> endTags_{};
};

void appendUtf8(std::string& out, std::uint32_t code) {
    if (code == 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) code = 0xFFFD;
    if (code < 0x80) {
        out += static_cast<char>(code);
    } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    }
}

int digitValue(char c, bool hex) {
    if (c >= '0' && c <= '9') return c - '0';
    if (hex && c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (hex && c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

struct NamedReference {
    std::string_view name;  // with its ';'
    std::string_view text;
};

// The references pages use in titles and URLs. The full table has 2,231 names; an unknown one
// stays as written. Numeric references to 0x80-0x9F are taken as code points, not through the
// windows-1252 table browsers use: a page that needs that is rare enough for a demo.
constexpr std::array<NamedReference, 10> NamedReferences = {{
    {"amp;", "&"}, {"lt;", "<"}, {"gt;", ">"}, {"quot;", "\""}, {"apos;", "'"},
    {"nbsp;", "\u00A0"}, {"AMP;", "&"}, {"LT;", "<"}, {"GT;", ">"}, {"QUOT;", "\""},
}};

std::string decodeReferences(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t amp = text.find('&', i);
        if (amp == npos) {
            out.append(text.substr(i));
            break;
        }
        out.append(text.substr(i, amp - i));
        i = amp + 1;
        const std::string_view rest = text.substr(i);
        if (rest.starts_with("#")) {
            const bool hex = rest.size() > 1 && (rest[1] == 'x' || rest[1] == 'X');
            std::size_t j = hex ? 2 : 1;
            const std::size_t firstDigit = j;
            std::uint32_t code = 0;
            for (; j < rest.size() && digitValue(rest[j], hex) >= 0; ++j)  // clamped, not wrapped
                code = std::min<std::uint32_t>(code * (hex ? 16 : 10) + static_cast<std::uint32_t>(digitValue(rest[j], hex)), 0x110000);
            if (j == firstDigit) {  // "&#" or "&#x" with no digits: not a reference
                out += '&';
                continue;
            }
            if (j < rest.size() && rest[j] == ';') ++j;
            appendUtf8(out, code);
            i += j;
            continue;
        }
        bool matched = false;
        for (const NamedReference& ref : NamedReferences) {
            if (rest.starts_with(ref.name)) {
                out.append(ref.text);
                i += ref.name.size();
                matched = true;
                break;
            }
        }
        if (!matched) out += '&';
    }
    return out;
}

// Runs of ASCII whitespace become one space; none is left at either end.
std::string collapseWhitespace(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool pendingSpace = false;
    for (char c : text) {
        if (isSpace(c)) {
            pendingSpace = !out.empty();
            continue;
        }
        if (pendingSpace) out += ' ';
        pendingSpace = false;
        out += c;
    }
    return out;
}

// An href as a URL parser takes it: decoded, trimmed, with tabs and newlines dropped.
std::string cleanHref(std::string_view raw) {
    const std::string decoded = decodeReferences(raw);
    std::size_t begin = 0;
    std::size_t end = decoded.size();
    while (begin < end && isSpace(decoded[begin])) ++begin;
    while (end > begin && isSpace(decoded[end - 1])) --end;
    std::string out;
    out.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i)
        if (decoded[i] != '\t' && decoded[i] != '\n' && decoded[i] != '\r') out += decoded[i];
    return out;
}

bool hasClassToken(std::string_view rawClass, std::string_view token) {
    const std::string classes = decodeReferences(rawClass);
    std::size_t i = 0;
    while (i < classes.size()) {
        while (i < classes.size() && isSpace(classes[i])) ++i;
        const std::size_t start = i;
        while (i < classes.size() && !isSpace(classes[i])) ++i;
        if (i > start && std::string_view(classes).substr(start, i - start) == token) return true;
    }
    return false;
}

}  // namespace

std::optional<std::string> findTitle(std::string_view html) {
    Scanner scanner(html);
    while (auto tag = scanner.next())
        if (named(tag->name, "title")) return collapseWhitespace(decodeReferences(tag->text.value_or("")));
    return std::nullopt;
}

std::vector<std::string> findLinks(std::string_view html) {
    std::vector<std::string> links;
    Scanner scanner(html);
    while (auto tag = scanner.next())
        if (tag->href && named(tag->name, "a")) links.push_back(cleanHref(*tag->href));
    return links;
}

std::optional<std::string> findFirstArticleLink(std::string_view html) {
    Scanner scanner(html);
    while (auto tag = scanner.next())
        if (tag->href && tag->cls && named(tag->name, "a") && hasClassToken(*tag->cls, "article"))
            return cleanHref(*tag->href);
    return std::nullopt;
}

}  // namespace weft::demos
