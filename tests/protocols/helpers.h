// SPDX-License-Identifier: MIT
// tests/protocols/helpers.h: what the framing tests share: feeding one input split every way.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>


namespace weft::testing {

inline std::span<const std::byte> bytes(std::string_view text) {
    return std::as_bytes(std::span(text.data(), text.size()));
}

// How one input is cut into dataReceived calls: whole, byte by byte, and in two at every byte.
inline std::vector<std::vector<std::string>> everySplit(std::string_view input) {
    std::vector<std::vector<std::string>> splits;
    splits.push_back({std::string(input)});
    std::vector<std::string> single;
    for (char c : input) single.emplace_back(1, c);
    splits.push_back(single);
    for (std::size_t i = 1; i < input.size(); ++i)
        splits.push_back({std::string(input.substr(0, i)), std::string(input.substr(i))});
    // Three pieces with the cuts one byte apart: catches a delimiter split across three reads.
    for (std::size_t i = 1; i + 1 < input.size(); ++i)
        splits.push_back({std::string(input.substr(0, i)), std::string(input.substr(i, 1)),
                          std::string(input.substr(i + 1))});
    return splits;
}

// "a|b|c": how a split is shown in a failing check.
inline std::string describe(const std::vector<std::string>& pieces) {
    std::string text;
    for (const std::string& piece : pieces) text += (text.empty() ? "" : "|") + piece;
    return text;
}

}  // namespace weft::testing
