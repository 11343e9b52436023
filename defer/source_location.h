// SPDX-License-Identifier: MIT
// defer/source_location.h: SourceLocation, where a Deferred or a Failure was made.
// Tests: tests/defer/source_location_test.cpp
//
// SourceLocation would do, but clang 14 cannot compile libstdc++ 12's (it lacks
// __builtin_source_location); the three builtins below exist in both g++ and clang.
#pragma once

namespace weft {

class SourceLocation {
public:
    // As a default argument, this records the caller's position.
    static constexpr SourceLocation current(const char* file = __builtin_FILE(),
                                            const char* function = __builtin_FUNCTION(),
                                            unsigned line = __builtin_LINE()) noexcept {
        return SourceLocation(file, function, line);
    }
    constexpr SourceLocation() noexcept = default;

    [[nodiscard]] constexpr const char* file_name() const noexcept { return file_; }
    [[nodiscard]] constexpr const char* function_name() const noexcept { return function_; }
    [[nodiscard]] constexpr unsigned line() const noexcept { return line_; }

private:
    constexpr SourceLocation(const char* file, const char* function, unsigned line) noexcept
        : file_(file), function_(function), line_(line) {}

    const char* file_ = "";
    const char* function_ = "";
    unsigned line_ = 0;
};

}  // namespace weft
