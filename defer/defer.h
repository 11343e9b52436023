// SPDX-License-Identifier: MIT
// defer/: Deferreds, Twisted's "promise of a result", in C++20. Depends on nothing but std.
// Tests: tests/defer/ (one file per header); the example below is compiled and run as a test.
//
// A Deferred<T> stands for a value that is not there yet. Whoever produces it calls callback()
// or errback() once; whoever waits adds callbacks (or co_awaits it from a coroutine returning a
// Deferred, the form of @inlineCallbacks). Errors travel as Failure down the errback path until
// an errback handles them, and one nobody handled is reported when its Deferred goes away.
// DeferredList and gatherResults wait for many, DeferredSemaphore keeps at most N in flight,
// addTimeout gives up after a while on any clock with callLater. defer/ is single-threaded by
// design: everything happens on one thread (the reactor's), so no callback ever races another.
//
//   deferred.h       Deferred<T>: callbacks, errbacks, chaining, cancel, addTimeout
//   failure.h        Failure: an exception with context; check<E>() / trap<E>()
//   result.h         Result<T>: pending, a value, or a Failure
//   errors.h         weft::Error and defer/'s errors (AlreadyCalledError, CancelledError, ...)
//   coroutine.h      co_await on Deferreds inside functions returning Deferred<T>
//   deferred_list.h  DeferredList, gatherResults, FirstError
//   semaphore.h      DeferredSemaphore, DeferredLock
//   queue.h          DeferredQueue
//   shortcuts.h      succeed, fail, maybeDeferred
//   clock.h          CallLaterClock, what addTimeout needs of a clock
//   unhandled_error.h  the hook for errors nobody handled
//
// Example:
//   #include "defer/defer.h"
//   #include <cstdio>
//   #include <string>
//
//   // Runs until the first co_await of a Deferred that has not fired, like @inlineCallbacks.
//   weft::Deferred<int> addLater(weft::Deferred<int> a, weft::Deferred<int> b) {
//       int x = co_await a;
//       int y = co_await b;
//       co_return x + y;
//   }
//
//   int main() {
//       weft::Deferred<int> a, b;
//       weft::Deferred<std::string> text =
//           addLater(a, b).addCallback([](int sum) { return "sum=" + std::to_string(sum); });
//       a.callback(40);                      // addLater now waits for b
//       b.callback(2);
//       std::printf("%s\n", text.result().value().c_str());   // sum=42
//
//       weft::Deferred<int> late;
//       late.addCallback([](int) -> int { throw std::runtime_error("no title"); })
//           .addErrback([](weft::Failure& f) { return f.check<std::runtime_error>() ? -1 : -2; });
//       late.callback(1);
//       return text.result().value() == "sum=42" && late.result().value() == -1 ? 0 : 1;
//   }
// End example
#pragma once

#include "defer/clock.h"
#include "defer/coroutine.h"
#include "defer/deferred.h"
#include "defer/deferred_list.h"
#include "defer/errors.h"
#include "defer/failure.h"
#include "defer/queue.h"
#include "defer/result.h"
#include "defer/semaphore.h"
#include "defer/shortcuts.h"
#include "defer/unhandled_error.h"
