// SPDX-License-Identifier: MIT
// NetstringReceiver: Twisted's test_basic netstring cases, every input split every way, and a
// table of malformed inputs with the exact error and byte offset each gives.
#include "protocols/netstring_receiver.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "protocols/errors.h"
#include "protocols/string_transport.h"
#include "tests/protocols/helpers.h"

using weft::ProtocolError;
using weft::testing::bytes;
using weft::testing::describe;
using weft::testing::everySplit;
using Events = std::vector<std::string>;

namespace {

class Strings : public weft::NetstringReceiver {
public:
    using NetstringReceiver::NetstringReceiver;
    Events events;
    void stringReceived(std::string_view s) override { events.emplace_back(s); }
};

struct Run {
    Events events;
    bool disconnecting = false;
    std::string failureType;
    int code = 0;
    std::uint64_t offset = 0;
};

Run feed(const std::vector<std::string>& pieces, std::size_t maxLength) {
    weft::StringTransport t;
    Strings p(maxLength);
    p.makeConnection(t);
    for (const auto& piece : pieces) p.dataReceived(bytes(piece));
    Run run{p.events, t.disconnecting(), {}, 0, 0};
    if (const weft::Failure* f = p.protocolFailure()) {
        run.failureType = f->typeName();
        try {
            f->raise();
        } catch (const weft::NetstringParseError& e) {
            run.code = e.code().value();
            run.offset = e.offset();
        } catch (const weft::StringTooLongError& e) {
            run.code = e.code().value();
            run.offset = e.offset();
        }
    }
    return run;
}

Run checkEverySplit(const std::string& input, std::size_t maxLength = 99999) {
    auto splits = everySplit(input);
    Run whole = feed(splits.front(), maxLength);
    for (std::size_t i = 1; i < splits.size(); ++i) {
        CAPTURE(describe(splits[i]));
        Run split = feed(splits[i], maxLength);
        CHECK(split.events == whole.events);
        CHECK(split.disconnecting == whole.disconnecting);
        CHECK(split.failureType == whole.failureType);
        CHECK(split.code == whole.code);
        CHECK(split.offset == whole.offset);
    }
    return whole;
}

}  // namespace

TEST_CASE("well-formed netstrings come out whole however the bytes are split") {
    // Twisted's test_basic.NetstringReceiverTests.strings, framed.
    Run run = checkEverySplit("5:hello,5:world,0:,10:0123456789,1:,,3:a:b,2:\r\n,4:inco");
    CHECK(run.events == Events{"hello", "world", "", "0123456789", ",", "a:b", "\r\n"});
    CHECK_FALSE(run.disconnecting);
    CHECK(run.failureType.empty());
}

TEST_CASE("malformed netstrings drop the connection with the exact error and offset") {
    struct Case {
        const char* input;
        ProtocolError code;
        std::uint64_t offset;
        const char* type;
        Events before;
    };
    const Case cases[] = {
        {"x:abc,", ProtocolError::NetstringBadLength, 0, "weft::NetstringParseError", {}},
        {":abc,", ProtocolError::NetstringBadLength, 0, "weft::NetstringParseError", {}},
        {"3:abc,1x:a,", ProtocolError::NetstringBadLength, 7, "weft::NetstringParseError", {"abc"}},
        {" 3:abc,", ProtocolError::NetstringBadLength, 0, "weft::NetstringParseError", {}},
        {"-1:a,", ProtocolError::NetstringBadLength, 0, "weft::NetstringParseError", {}},
        {"00:,", ProtocolError::NetstringLeadingZero, 1, "weft::NetstringParseError", {}},
        {"1:a,05:hello,", ProtocolError::NetstringLeadingZero, 5, "weft::NetstringParseError", {"a"}},
        {"3:abc;", ProtocolError::NetstringMissingComma, 5, "weft::NetstringParseError", {}},
        {"3:abcd,", ProtocolError::NetstringMissingComma, 5, "weft::NetstringParseError", {}},
        {"0:x", ProtocolError::NetstringMissingComma, 2, "weft::NetstringParseError", {}},
        {"1:a,100000:", ProtocolError::StringTooLong, 4, "weft::StringTooLongError", {"a"}},
        {"99999999999999999999999999:", ProtocolError::StringTooLong, 0, "weft::StringTooLongError", {}},
    };
    for (const Case& c : cases) {
        CAPTURE(c.input);
        Run run = checkEverySplit(c.input);
        CHECK(run.events == c.before);
        CHECK(run.disconnecting);
        CHECK(run.failureType == c.type);
        CHECK(run.code == static_cast<int>(c.code));
        CHECK(run.offset == c.offset);
    }
}

TEST_CASE("the length is checked against maxLength digit by digit, before any payload") {
    weft::StringTransport t;
    Strings p(10);
    p.makeConnection(t);
    p.dataReceived(bytes("10:0123456789,1"));
    CHECK_FALSE(t.disconnecting());
    p.dataReceived(bytes("1"));  // "11": more than 10 already
    CHECK(t.disconnecting());
    REQUIRE(p.protocolFailure());
    try {
        p.protocolFailure()->raise();
    } catch (const weft::StringTooLongError& e) {
        CHECK(e.length() == 11);
        CHECK(e.maxLength() == 10);
        CHECK(e.offset() == 14);
    }
    p.dataReceived(bytes(":abcdefghijk,"));
    CHECK(p.events == Events{"0123456789"});
}

TEST_CASE("an unterminated huge length costs no memory: digits are consumed as they come") {
    weft::StringTransport t;
    Strings p(std::size_t(-1));
    p.makeConnection(t);
    p.dataReceived(bytes(std::string(40, '9')));  // past 2^64: saturates, and is over the limit
    CHECK(t.disconnecting());
}

TEST_CASE("sendString frames the string; a receiver reads it back") {
    weft::StringTransport t;
    Strings p;
    p.sendString("not connected");
    p.makeConnection(t);
    p.sendString("hello");
    p.sendString("");
    p.sendString("a,b:c");
    CHECK(t.value() == "5:hello,0:,5:a,b:c,");
    CHECK(checkEverySplit(t.value()).events == Events{"hello", "", "a,b:c"});
    CHECK(p.maxLength() == 99999);
}
