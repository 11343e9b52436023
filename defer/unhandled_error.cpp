// SPDX-License-Identifier: MIT
#include "defer/unhandled_error.h"

#include <cstdio>
#include <utility>

namespace weft {
namespace {

void writeToStderr(const Failure& failure, SourceLocation created) {
    std::fprintf(stderr, "weft: unhandled error in Deferred created at %s:%u (%s):\n  %s\n",
                 created.file_name(), static_cast<unsigned>(created.line()), created.function_name(),
                 failure.describe().c_str());
}

UnhandledErrorHook& hook() {
    static UnhandledErrorHook current;  // empty: writeToStderr
    return current;
}

}  // namespace

UnhandledErrorHook setUnhandledErrorHook(UnhandledErrorHook replacement) {
    return std::exchange(hook(), std::move(replacement));
}

void reportUnhandledError(const Failure& failure, SourceLocation created) noexcept {
    try {
        if (hook()) hook()(failure, created);
        else writeToStderr(failure, created);
    } catch (...) {  // called from destructors: a throwing hook must not terminate the program
        std::fputs("weft: the unhandled-error hook threw\n", stderr);
        writeToStderr(failure, created);
    }
}

}  // namespace weft
