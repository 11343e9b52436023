// SPDX-License-Identifier: MIT
#include "defer/errors.h"

#include <cstdio>

namespace weft {
namespace {

class DeferCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "weft.defer"; }
    std::string message(int value) const override {
        switch (static_cast<DeferError>(value)) {
            case DeferError::AlreadyCalled: return "Deferred already fired";
            case DeferError::Cancelled: return "Deferred was cancelled";
            case DeferError::TimedOut: return "Deferred timed out";
            case DeferError::QueueOverflow: return "queue overflow";
            case DeferError::QueueUnderflow: return "queue underflow";
            case DeferError::FirstError: return "an entry of a DeferredList failed";
        }
        return "unknown defer error " + std::to_string(value);
    }
};

std::string describeTimeout(std::chrono::nanoseconds after) {
    char text[64];
    std::snprintf(text, sizeof text, "Deferred timed out after %.3gs",
                  std::chrono::duration<double>(after).count());
    return text;
}

}  // namespace

const std::error_category& deferCategory() noexcept {
    static const DeferCategory category;
    return category;
}

std::error_code make_error_code(DeferError e) noexcept {
    return {static_cast<int>(e), deferCategory()};
}

TimeoutError::TimeoutError(std::chrono::nanoseconds after)
    : Error(DeferError::TimedOut, describeTimeout(after)), after_(after) {}

}  // namespace weft
