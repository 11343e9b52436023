// SPDX-License-Identifier: MIT
// defer/unhandled_error.h: where a Failure goes that no errback handled.
// Tests: tests/defer/unhandled_error_test.cpp
//
// A Deferred whose last reference goes away while it still holds a Failure reports it at that
// moment (not at some later garbage collection, as in Twisted), with where the Deferred was
// created. The hook is defer/'s only global; the default writes one paragraph to stderr.
#pragma once

#include <functional>
#include "defer/source_location.h"

#include "defer/failure.h"

namespace weft {

using UnhandledErrorHook = std::function<void(const Failure& failure, SourceLocation created)>;

// Installs `hook` (an empty one restores the default) and returns the previous one.
UnhandledErrorHook setUnhandledErrorHook(UnhandledErrorHook hook);

// Calls the hook; never throws (an exception from the hook itself is written to stderr).
void reportUnhandledError(const Failure& failure, SourceLocation created) noexcept;

}  // namespace weft
