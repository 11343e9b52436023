// SPDX-License-Identifier: MIT
// http/headers.h: an ordered list of header fields with case-insensitive lookup, and the
// character rules of RFC 9110 §5 (tokens, field values). Tests: tests/http/headers_test.cpp
//
// Names and values live in one string (the arena) and the list holds offsets into it, so a
// parsed head of twenty fields costs two allocations, not forty. Views returned by get(),
// getAll() and iteration stay valid until the Headers is next changed or destroyed.
// Headers stores what it is given; it does not validate (the parsers and writeRequestHead do).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::http {

namespace detail {
// Byte classes as 256-entry tables: the parsers test every byte of a head, and a look-up
// inlined in their loops is several times cheaper than a call per byte.
struct ByteClass {
    bool in[256];
};
constexpr ByteClass makeTokenClass() {
    ByteClass table{};
    for (int c = '0'; c <= '9'; ++c) table.in[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) table.in[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) table.in[c] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) table.in[static_cast<unsigned char>(c)] = true;
    return table;
}
constexpr ByteClass makeFieldValueClass() {
    ByteClass table{};
    for (int c = 0x20; c < 0x100; ++c) table.in[c] = c != 0x7f;
    table.in[static_cast<unsigned char>('\t')] = true;
    return table;
}
inline constexpr ByteClass kTokenBytes = makeTokenClass();
inline constexpr ByteClass kFieldValueBytes = makeFieldValueClass();
}  // namespace detail

// tchar of RFC 9110 §5.6.2: the characters of methods, header names and codings.
[[nodiscard]] inline bool isTokenChar(char c) noexcept { return detail::kTokenBytes.in[static_cast<unsigned char>(c)]; }
[[nodiscard]] bool isToken(std::string_view text) noexcept;  // non-empty, tchar only
// A byte of a field-value (RFC 9110 §5.5): VCHAR, obs-text, SP or HTAB; not CR, LF, NUL, DEL or
// another control.
[[nodiscard]] inline bool isFieldValueByte(char c) noexcept {
    return detail::kFieldValueBytes.in[static_cast<unsigned char>(c)];
}
// The index of the first byte of text that is not a field-value byte, or npos.
[[nodiscard]] inline std::size_t findNonFieldValueByte(std::string_view text) noexcept {
    for (std::size_t i = 0; i < text.size(); ++i)
        if (!isFieldValueByte(text[i])) return i;
    return std::string_view::npos;
}
[[nodiscard]] inline bool isFieldValue(std::string_view text) noexcept {
    return findNonFieldValueByte(text) == std::string_view::npos;
}
// ASCII case-insensitive equality (header names, tokens, schemes). Inline: the parsers compare
// every field name against a few known ones, and most differ in length already.
[[nodiscard]] inline bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}
// Strips SP and HTAB (OWS) from both ends.
[[nodiscard]] inline std::string_view trimOws(std::string_view text) noexcept {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}
// True if the comma-separated list `list` holds `token` (case-insensitive, OWS ignored, empty
// elements skipped, parameters after ';' ignored): hasListToken("close, Upgrade", "upgrade").
[[nodiscard]] bool hasListToken(std::string_view list, std::string_view token) noexcept;

class Headers {
public:
    using Field = std::pair<std::string_view, std::string_view>;  // name, value

    Headers() = default;
    Headers(std::initializer_list<Field> fields);

    // The first value of name, if any.
    [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const noexcept;
    [[nodiscard]] std::vector<std::string_view> getAll(std::string_view name) const;
    [[nodiscard]] bool contains(std::string_view name) const noexcept;
    // True if any field `name` lists token: hasToken("Connection", "close").
    [[nodiscard]] bool hasToken(std::string_view name, std::string_view token) const noexcept;

    void add(std::string_view name, std::string_view value);  // appends, keeps any others
    void set(std::string_view name, std::string_view value);  // replaces every field of name
    std::size_t remove(std::string_view name);                // returns how many were removed
    void clear() noexcept;
    void reserve(std::size_t fields, std::size_t bytes);

    [[nodiscard]] std::size_t size() const noexcept { return fields_.size(); }
    [[nodiscard]] bool empty() const noexcept { return fields_.empty(); }
    [[nodiscard]] Field operator[](std::size_t i) const noexcept { return field(fields_[i]); }

    class const_iterator {
    public:
        using value_type = Field;
        using difference_type = std::ptrdiff_t;
        const_iterator() = default;
        Field operator*() const noexcept { return (*owner_)[index_]; }
        const_iterator& operator++() noexcept { ++index_; return *this; }
        const_iterator operator++(int) noexcept { auto old = *this; ++index_; return old; }
        bool operator==(const const_iterator& other) const noexcept { return index_ == other.index_; }

    private:
        friend class Headers;
        const_iterator(const Headers* owner, std::size_t index) : owner_(owner), index_(index) {}
        const Headers* owner_ = nullptr;
        std::size_t index_ = 0;
    };
    [[nodiscard]] const_iterator begin() const noexcept { return {this, 0}; }
    [[nodiscard]] const_iterator end() const noexcept { return {this, fields_.size()}; }

    // Same fields in the same order (names compared case-insensitively).
    friend bool operator==(const Headers& a, const Headers& b) noexcept;

private:
    struct Slot {
        std::uint32_t name, nameSize, value, valueSize;
    };
    [[nodiscard]] Field field(const Slot& slot) const noexcept {
        return {std::string_view(arena_).substr(slot.name, slot.nameSize),
                std::string_view(arena_).substr(slot.value, slot.valueSize)};
    }

    void compactIfWasteful();

    std::string arena_;  // every name and value, back to back; removals leave garbage
    std::vector<Slot> fields_;
    std::size_t liveBytes_ = 0;  // arena_ bytes still referenced; the rest is garbage
};

}  // namespace weft::http
