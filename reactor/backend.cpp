// SPDX-License-Identifier: MIT
#include "reactor/backend.h"

#include <climits>

namespace weft {

std::unique_ptr<Backend> makeBackend(std::string_view name, std::error_code& error) {
    error.clear();
    if (name.empty()) {
        for (std::string_view candidate : availableBackends()) {
            if (auto backend = makeBackend(candidate, error)) return backend;
        }
        return nullptr;
    }
    if (name == "epoll") return makeEpollBackend(error);
    if (name == "kqueue") return makeKqueueBackend(error);
    if (name == "poll") return makePollBackend(error);
    if (name == "select") return makeSelectBackend(error);
    error = std::make_error_code(std::errc::invalid_argument);
    return nullptr;
}

std::vector<std::string_view> availableBackends() {
    std::vector<std::string_view> names;
#if defined(__linux__)
    names.push_back("epoll");
#endif
#if __has_include(<sys/event.h>)
    names.push_back("kqueue");
#endif
    names.push_back("poll");
    names.push_back("select");
    return names;
}

int timeoutMilliseconds(std::optional<std::chrono::nanoseconds> timeout) noexcept {
    if (!timeout) return -1;
    if (timeout->count() <= 0) return 0;
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(*timeout).count();
    return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

}  // namespace weft
