// SPDX-License-Identifier: MIT
// http/fuzz/fuzz_request.cpp: RequestParser on arbitrary bytes (several pipelined requests,
// typically). Byte 0: bit 1 ends with feedEof, the rest picks how the input is cut (byte 1
// seeds it). Small limits, so that the fuzzer reaches them.
#include <cstddef>
#include <cstdint>

#include "http/fuzz/split_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace weft::http;
    if (size < 2) return 0;
    RequestParser::Limits limits;
    limits.maxHeadBytes = 2048;
    limits.maxHeaders = 16;
    limits.maxRequestLineBytes = 256;
    limits.maxBodyBytes = 4096;
    limits.maxChunkLineBytes = 64;
    fuzz::checkSplits(data, size, [&] { return RequestParser(limits); }, [](RequestParser&) {});
    return 0;
}
