// SPDX-License-Identifier: MIT
#include "reactor/errors.h"

namespace weft {
namespace {

class ReactorCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "weft.reactor"; }
    std::string message(int value) const override {
        switch (static_cast<ConnectionError>(value)) {
            case ConnectionError::Done: return "connection closed cleanly";
            case ConnectionError::Aborted: return "connection aborted";
            case ConnectionError::Refused: return "connection refused";
            case ConnectionError::TimedOut: return "connection attempt timed out";
            case ConnectionError::NoRoute: return "no route to host";
            case ConnectionError::FdOutOfRange: return "file descriptor too large for select()";
            case ConnectionError::AlreadyRunning: return "the reactor is already running";
            case ConnectionError::Stopped: return "the reactor stopped";
        }
        return "unknown reactor error " + std::to_string(value);
    }
};

}  // namespace

const std::error_category& reactorCategory() noexcept {
    static const ReactorCategory category;
    return category;
}

std::error_code make_error_code(ConnectionError e) noexcept { return {static_cast<int>(e), reactorCategory()}; }

bool isCleanClose(std::error_code reason) noexcept { return reason == ConnectionError::Done; }

}  // namespace weft
