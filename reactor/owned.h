// SPDX-License-Identifier: MIT
// reactor/owned.h: Owned, the base of what the reactor keeps alive on its own (open
// connections, pending connectors) until it is done, then disposes of after the current turn.
// Tests: tests/reactor/tcp_test.cpp (through connections)
#pragma once

#include <system_error>

namespace weft {

class Reactor;

class Owned {
public:
    virtual ~Owned() = default;
    // The reactor is going away with this still open: end it now (connectionLost gets `reason`).
    virtual void abandon(std::error_code reason) = 0;

private:
    friend class Reactor;
    Owned* prev_ = nullptr;  // intrusive list: 16 bytes per connection, no map
    Owned* next_ = nullptr;
};

}  // namespace weft
