// SPDX-License-Identifier: MIT
#include "reactor/write_buffer.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace {

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

std::string text(std::span<const std::byte> b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

}  // namespace

TEST_CASE("WriteBuffer hands back what was appended, in order, as it is consumed") {
    weft::WriteBuffer buffer;
    CHECK(buffer.empty());
    CHECK(buffer.size() == 0);
    buffer.append(bytes("hello "));
    buffer.append(bytes("world"));
    CHECK(buffer.size() == 11);
    CHECK(text(buffer.pending()) == "hello world");
    buffer.consume(6);
    CHECK(text(buffer.pending()) == "world");
    buffer.append(bytes("!"));
    CHECK(text(buffer.pending()) == "world!");
    buffer.consume(6);
    CHECK(buffer.empty());
    CHECK(buffer.pending().empty());
}

TEST_CASE("appending nothing changes nothing") {
    weft::WriteBuffer buffer;
    buffer.append({});
    CHECK(buffer.empty());
}

TEST_CASE("WriteBuffer keeps its contents across many partial sends (compaction)") {
    weft::WriteBuffer buffer;
    std::string expected;
    std::string sent;
    for (int round = 0; round < 2000; ++round) {
        std::string piece(static_cast<std::size_t>(round % 97 + 1), static_cast<char>('a' + round % 26));
        buffer.append(bytes(piece));
        expected += piece;
        std::size_t take = std::min<std::size_t>(buffer.size(), static_cast<std::size_t>(round % 61 + 1));
        sent += text(buffer.pending().first(take));
        buffer.consume(take);
        REQUIRE(buffer.size() == expected.size() - sent.size());
    }
    sent += text(buffer.pending());
    CHECK(sent == expected);
}

TEST_CASE("an emptied or cleared WriteBuffer holds no memory") {
    weft::WriteBuffer buffer;
    buffer.append(bytes(std::string(1 << 16, 'x')));
    buffer.consume(buffer.size());
    CHECK(buffer.empty());
    CHECK(buffer.pending().data() == nullptr);
    buffer.append(bytes("abc"));
    buffer.clear();
    CHECK(buffer.empty());
    CHECK(buffer.pending().data() == nullptr);
}
