// SPDX-License-Identifier: MIT
// StringTransport: records writes, closes, producers and pauses, and nothing else happens.
#include "protocols/string_transport.h"

#include <doctest/doctest.h>

#include <array>
#include <stdexcept>
#include <string_view>

using weft::StringTransport;

namespace {
struct NullProducer : weft::IProducer {
    void pauseProducing() override {}
    void resumeProducing() override {}
    void stopProducing() override {}
};
}  // namespace

TEST_CASE("StringTransport records every write in value(); clear() forgets them") {
    StringTransport t;
    t.write(std::string_view("hello "));
    std::array<std::string_view, 2> pieces{"wor", "ld"};
    t.writeSequence(pieces);
    t.write(StringTransport::bytes(std::string_view("\0!", 2)));
    CHECK(t.value() == std::string("hello world\0!", 13));
    CHECK(t.writeCount() == 4);
    t.clear();
    CHECK(t.value().empty());
    CHECK(t.bufferedBytes() == 0);
}

TEST_CASE("closing only sets flags, and later writes are still recorded") {
    StringTransport t;
    CHECK_FALSE(t.disconnecting());
    t.loseWriteConnection();
    CHECK(t.writeClosed());
    CHECK_FALSE(t.disconnecting());
    t.loseConnection();
    CHECK(t.disconnecting());
    CHECK_FALSE(t.aborted());
    t.write(std::string_view("late"));
    CHECK(t.value() == "late");

    StringTransport a;
    a.abortConnection();
    CHECK(a.aborted());
    CHECK(a.disconnecting());
}

TEST_CASE("addresses are configurable, with defaults like Twisted's") {
    StringTransport t;
    CHECK(t.getHost().toString() == "10.0.0.1:12345");
    CHECK(t.getPeer().toString() == "10.0.0.2:80");
    StringTransport u(*weft::Address::parse("::1", 1), weft::Address::unixPath("/tmp/s"));
    CHECK(u.getHost().toString() == "[::1]:1");
    CHECK(u.getPeer().toString() == "unix:/tmp/s");
    u.setPeer(*weft::Address::parse("1.2.3.4", 5));
    u.setHost(*weft::Address::parse("5.6.7.8", 9));
    CHECK(u.getPeer().toString() == "1.2.3.4:5");
    CHECK(u.getHost().toString() == "5.6.7.8:9");
}

TEST_CASE("one producer at a time; registering a second or unregistering none is a logic error") {
    StringTransport t;
    NullProducer p, q;
    CHECK(t.producer() == nullptr);
    t.registerProducer(p);
    CHECK(t.producer() == &p);
    CHECK_THROWS_AS(t.registerProducer(q), std::logic_error);
    t.unregisterProducer();
    CHECK(t.producer() == nullptr);
    CHECK_THROWS_AS(t.unregisterProducer(), std::logic_error);
}

TEST_CASE("what the protocol asks of the transport as a producer is visible") {
    StringTransport t;
    CHECK(t.producerState() == StringTransport::ProducerState::Producing);
    t.pauseProducing();
    CHECK(t.producerState() == StringTransport::ProducerState::Paused);
    t.resumeProducing();
    CHECK(t.producerState() == StringTransport::ProducerState::Producing);
    t.stopProducing();
    CHECK(t.producerState() == StringTransport::ProducerState::Stopped);
    t.setTcpNoDelay(true);
    CHECK(t.tcpNoDelay());
    t.setWriteBufferLimits(100, 10);
    CHECK(t.highWater() == 100);
    CHECK(t.lowWater() == 10);
}
