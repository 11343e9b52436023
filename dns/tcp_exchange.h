// SPDX-License-Identifier: MIT
// dns/tcp_exchange.h: TcpExchange, one query over a fresh TCP connection (RFC 7766: two-byte
// length prefix), for answers that did not fit in UDP. Tests: tests/dns/resolver_test.cpp
//
// It calls exactly one of its two functions, once, unless destroyed first: destroying it
// aborts the connection (or the attempt to make one) and silences both.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reactor/address.h"
#include "reactor/reactor.h"

namespace weft::dns {

class TcpExchange {
public:
    using OnReply = std::function<void(std::string_view)>;
    using OnFailure = std::function<void(const std::string&)>;

    TcpExchange(Reactor& reactor, const Address& server, std::vector<std::byte> query,
                std::chrono::nanoseconds connectTimeout, OnReply onReply, OnFailure onFailure);
    ~TcpExchange();
    TcpExchange(const TcpExchange&) = delete;
    TcpExchange& operator=(const TcpExchange&) = delete;

    struct Shared;

private:
    std::shared_ptr<Shared> shared_;
};

}  // namespace weft::dns
