// SPDX-License-Identifier: MIT
// The one doctest main for every module's tests (build/tests/weft-tests).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
