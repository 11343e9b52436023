// SPDX-License-Identifier: MIT
// http/fuzz/fuzz_response.cpp: ResponseParser on arbitrary bytes. Byte 0: bit 0 asks for HEAD,
// bit 1 ends with feedEof, the rest picks how the input is cut (with byte 1 as the seed).
// Small limits, so that the fuzzer reaches them.
#include <cstddef>
#include <cstdint>

#include "http/fuzz/split_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace weft::http;
    if (size < 2) return 0;
    std::string_view method = (data[0] & 1) ? "HEAD" : "GET";
    ResponseParser::Limits limits;
    limits.maxHeadBytes = 2048;
    limits.maxHeaders = 16;
    limits.max1xx = 3;
    limits.maxChunkLineBytes = 64;
    auto make = [&] {
        ResponseParser parser(limits);
        parser.startResponse(method);
        return parser;
    };
    fuzz::checkSplits(data, size, make, [&](ResponseParser& parser) { parser.startResponse(method); });
    return 0;
}
