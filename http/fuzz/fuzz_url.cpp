// SPDX-License-Identifier: MIT
// http/fuzz/fuzz_url.cpp: Url::parse and Url::resolve on arbitrary text. A parsed URL must
// survive toString() and parse again with the same fields, and resolving must not crash;
// only InvalidUrl and UnsupportedScheme may be thrown.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/url.h"

namespace {

using weft::http::Url;

void roundTrip(const Url& url) {
    std::string text = url.toString();
    Url again = Url::parse(text);
    if (!(again == url) || again.toString() != text) std::abort();
    if (url.hasAuthority && url.path.empty()) std::abort();
    (void)url.hostHeader();
    (void)url.isIpLiteral();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace weft::http;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    static const Url base = Url::parse("http://a/b/c/d;p?q");
    try {
        Url url = Url::parse(text);
        roundTrip(url);
        try {
            url.requireHttp();
        } catch (const UnsupportedScheme&) {  // any scheme parses; only http is fetchable
        }
        if (!(Url::resolve(url, "") == url)) std::abort();  // an empty reference is the base itself
        roundTrip(Url::resolve(url, "../g;x?y#s"));
    } catch (const InvalidUrl&) {  // the input, or a reference resolved against it, is not a URL
    }
    try {
        roundTrip(Url::resolve(base, text));
    } catch (const InvalidUrl&) {
    }
    return 0;
}
