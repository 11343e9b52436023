// SPDX-License-Identifier: MIT
// protocols/string_transport.cpp: StringTransport's few behaviours beyond recording.
// Tests: tests/protocols/string_transport_test.cpp
#include "protocols/string_transport.h"

#include <stdexcept>
#include <utility>

namespace weft {

StringTransport::StringTransport()
    : StringTransport(*Address::parse("10.0.0.1", 12345), *Address::parse("10.0.0.2", 80)) {}

StringTransport::StringTransport(Address host, Address peer) : host_(std::move(host)), peer_(std::move(peer)) {}

void StringTransport::write(std::span<const std::byte> data) {
    written_.append(reinterpret_cast<const char*>(data.data()), data.size());
    ++writes_;
}

void StringTransport::abortConnection() {
    aborted_ = true;
    disconnecting_ = true;
}

void StringTransport::registerProducer(IProducer& producer) {
    if (producer_) throw std::logic_error("StringTransport: a producer is registered already");
    producer_ = &producer;
}

void StringTransport::unregisterProducer() {
    if (!producer_) throw std::logic_error("StringTransport: no producer is registered");
    producer_ = nullptr;
}

void StringTransport::setWriteBufferLimits(std::size_t high, std::size_t low) {
    high_ = high;
    low_ = low;
}

}  // namespace weft
