// SPDX-License-Identifier: MIT
// bench/peers/asio_config.h: how the Asio peers include standalone Asio (Debian libasio-dev).
#pragma once

#ifndef ASIO_STANDALONE
#define ASIO_STANDALONE
#endif
#ifndef ASIO_NO_DEPRECATED
#define ASIO_NO_DEPRECATED
#endif
// Asio 1.22 (Debian 12) enables co_await under clang only with <experimental/coroutine>, which
// libstdc++ lacks; clang 14 in C++20 mode does have std coroutines (__cpp_impl_coroutine), and
// Asio's std-coroutine path already switches on for it, so only the feature flag is missing.
#if defined(__clang__) && defined(__cpp_impl_coroutine) && !defined(ASIO_HAS_CO_AWAIT)
#define ASIO_HAS_CO_AWAIT 1
#endif
#include <asio.hpp>
