// SPDX-License-Identifier: MIT
// Int32/Int16/Int8StringReceiver: framing, limits and sending, every input split every way.
#include "protocols/length_prefixed.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "protocols/errors.h"
#include "protocols/string_transport.h"
#include "reactor/errors.h"
#include "tests/protocols/helpers.h"

using weft::testing::bytes;
using weft::testing::describe;
using weft::testing::everySplit;
using Events = std::vector<std::string>;

namespace {

template <class Base>
class Strings : public Base {
public:
    using Base::Base;
    Events events;
    bool keepOnLimit = false;
    void stringReceived(std::string_view s) override {
        events.emplace_back(s);
        if (s == "pause") this->pauseProducing();
    }
    void lengthLimitExceeded(std::uint64_t length) override {
        events.push_back("limit:" + std::to_string(length));
        if (!keepOnLimit) Base::lengthLimitExceeded(length);
    }
};

std::string prefix32(std::size_t n) {
    return {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
}

struct Run {
    Events events;
    bool disconnecting = false;
    std::string failure;
};

template <class Receiver>
Run feed(const std::vector<std::string>& pieces, std::size_t maxLength, bool keepOnLimit = false) {
    weft::StringTransport t;
    Strings<Receiver> p(maxLength);
    p.keepOnLimit = keepOnLimit;
    p.makeConnection(t);
    for (const auto& piece : pieces) {
        p.dataReceived(bytes(piece));
        while (p.paused()) p.resumeProducing();
    }
    Run run{p.events, t.disconnecting(), {}};
    if (const weft::Failure* f = p.protocolFailure()) run.failure = f->message();
    return run;
}

template <class Receiver = weft::Int32StringReceiver>
Run checkEverySplit(const std::string& input, std::size_t maxLength = 99999, bool keepOnLimit = false) {
    auto splits = everySplit(input);
    Run whole = feed<Receiver>(splits.front(), maxLength, keepOnLimit);
    for (std::size_t i = 1; i < splits.size(); ++i) {
        CAPTURE(describe(splits[i]));
        Run split = feed<Receiver>(splits[i], maxLength, keepOnLimit);
        CHECK(split.events == whole.events);
        CHECK(split.disconnecting == whole.disconnecting);
        CHECK(split.failure == whole.failure);
    }
    return whole;
}

}  // namespace

TEST_CASE("Int32StringReceiver: big-endian 4-byte lengths, whole strings however split") {
    std::string input = prefix32(5) + "hello" + prefix32(0) + prefix32(3) + std::string("a\0b", 3) + prefix32(2) + "x";
    Run run = checkEverySplit(input);
    CHECK(run.events == Events{"hello", "", std::string("a\0b", 3)});
    CHECK_FALSE(run.disconnecting);
}

TEST_CASE("Int16 and Int8 prefixes") {
    CHECK(checkEverySplit<weft::Int16StringReceiver>(std::string("\0\3abc\0\0\1\0", 9) + std::string(256, 'z'))
              .events == Events{"abc", "", std::string(256, 'z')});
    CHECK(checkEverySplit<weft::Int8StringReceiver>(std::string("\2hi\0\1!", 6)).events == Events{"hi", "", "!"});
    CHECK(weft::Int16StringReceiver::prefixLength == 2);
    CHECK(weft::Int8StringReceiver::prefixLength == 1);
}

TEST_CASE("a length over maxLength drops the connection with StringTooLongError before reading the string") {
    std::string input = prefix32(3) + "abc" + prefix32(11) + "never delivered" + prefix32(1) + "z";
    Run run = checkEverySplit(input, 10);
    CHECK(run.events == Events{"abc", "limit:11"});
    CHECK(run.disconnecting);
    CHECK(run.failure == "peer sent a string longer than allowed: 11 > 10 (at byte 7)");

    weft::StringTransport t;
    Strings<weft::Int32StringReceiver> p(10);
    p.makeConnection(t);
    p.dataReceived(bytes(prefix32(0xffffffff)));
    REQUIRE(p.protocolFailure());
    try {
        p.protocolFailure()->raise();
    } catch (const weft::StringTooLongError& e) {
        CHECK(e.code() == weft::ProtocolError::StringTooLong);
        CHECK(e.length() == 0xffffffffu);
        CHECK(e.maxLength() == 10);
        CHECK(e.offset() == 0);
    }
}

TEST_CASE("exactly maxLength is allowed; the default is Twisted's 99999") {
    CHECK(checkEverySplit(prefix32(4) + "abcd", 4).events == Events{"abcd"});
    Strings<weft::Int32StringReceiver> p;
    CHECK(p.maxLength() == 99999);
    p.setMaxLength(7);
    CHECK(p.maxLength() == 7);
}

TEST_CASE("an override that keeps the connection still parses nothing more") {
    Run run = checkEverySplit(prefix32(20) + prefix32(1) + "a", 10, true);
    CHECK(run.events == Events{"limit:20"});
    CHECK_FALSE(run.disconnecting);
    CHECK(run.failure.empty());
}

TEST_CASE("pausing inside stringReceived holds the rest") {
    weft::StringTransport t;
    Strings<weft::Int32StringReceiver> p;
    p.makeConnection(t);
    p.dataReceived(bytes(prefix32(5) + "pause" + prefix32(1) + "b"));
    CHECK(p.events == Events{"pause"});
    p.resumeProducing();
    CHECK(p.events == Events{"pause", "b"});
    CHECK(checkEverySplit(prefix32(5) + "pause" + prefix32(1) + "b").events == Events{"pause", "b"});
}

TEST_CASE("sendString writes the prefix and the string; too long for the prefix is StringTooLongError") {
    weft::StringTransport t;
    Strings<weft::Int32StringReceiver> p;
    p.sendString("not connected");
    p.makeConnection(t);
    p.sendString("hello");
    p.sendString("");
    CHECK(t.value() == prefix32(5) + "hello" + prefix32(0));

    weft::StringTransport t8;
    Strings<weft::Int8StringReceiver> q;
    q.makeConnection(t8);
    q.sendString(std::string(255, 'a'));
    CHECK(t8.value().size() == 256);
    CHECK(static_cast<unsigned char>(t8.value()[0]) == 255);
    CHECK_THROWS_AS(q.sendString(std::string(256, 'a')), weft::StringTooLongError);
    try {
        q.sendString(std::string(256, 'a'));
    } catch (const weft::StringTooLongError& e) {
        CHECK(e.code() == weft::ProtocolError::StringTooLongToSend);
        CHECK(e.length() == 256);
        CHECK(e.maxLength() == 255);
    }
    CHECK(t8.value().size() == 256);  // nothing was written for it

    weft::StringTransport t16;
    Strings<weft::Int16StringReceiver> r;
    r.makeConnection(t16);
    r.sendString(std::string(258, 'b'));
    CHECK(t16.value().substr(0, 2) == std::string("\1\2", 2));
}

TEST_CASE("what one receiver sends, another receives") {
    weft::StringTransport wire;
    Strings<weft::Int32StringReceiver> sender;
    sender.makeConnection(wire);
    for (const std::string& s : Events{"a", "", "longer string", std::string(70000, 'q')}) sender.sendString(s);
    Run run = feed<weft::Int32StringReceiver>({wire.value()}, 99999);
    CHECK(run.events == Events{"a", "", "longer string", std::string(70000, 'q')});
}
