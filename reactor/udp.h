// SPDX-License-Identifier: MIT
// reactor/udp.h: UDP: IDatagramProtocol (what a UDP port calls) and UdpPort (listenUDP's port).
// Tests: tests/reactor/udp_test.cpp
//
// Datagrams are whole or nothing: write() either hands one to the kernel or returns the error
// (EAGAIN included: UDP drops rather than buffers). connect() makes it connected UDP: write()
// without an address goes to that peer, only its datagrams arrive, and an ICMP port
// unreachable comes back as connectionRefused().
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <system_error>

#include "reactor/address.h"
#include "reactor/fd.h"
#include "reactor/reactor.h"

namespace weft {

class UdpPort;

class IDatagramProtocol {
public:
    virtual ~IDatagramProtocol() = default;
    virtual void startProtocol(UdpPort& port) { (void)port; }
    virtual void datagramReceived(std::span<const std::byte> data, const Address& from) = 0;
    virtual void connectionRefused() {}
    virtual void stopProtocol() {}
};

class UdpPort final : public FdHandler {
public:
    UdpPort(Reactor& reactor, Fd fd, IDatagramProtocol& protocol);
    ~UdpPort();
    UdpPort(const UdpPort&) = delete;
    UdpPort& operator=(const UdpPort&) = delete;

    std::error_code write(std::span<const std::byte> datagram, const Address& to);
    std::error_code write(std::span<const std::byte> datagram);  // connected UDP
    std::error_code write(std::string_view datagram, const Address& to) {
        return write(std::as_bytes(std::span(datagram.data(), datagram.size())), to);
    }
    std::error_code connect(const Address& peer);
    [[nodiscard]] Address getHost() const;
    void stopListening();

    void readReady() override;
    void writeReady() override {}

private:
    Reactor& reactor_;
    Fd fd_;
    IDatagramProtocol& protocol_;
    bool listening_ = true;
};

}  // namespace weft
