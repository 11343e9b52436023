// SPDX-License-Identifier: MIT
// FramingProtocol, through a small framing of fixed three-byte records: re-entrancy, pausing,
// dropping and offsets, which LineReceiver and the string receivers inherit.
#include "protocols/framing_protocol.h"

#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocols/errors.h"
#include "protocols/string_transport.h"
#include "reactor/errors.h"
#include "tests/protocols/helpers.h"

using weft::testing::bytes;

namespace {

// Delivers every three bytes as a record; `onRecord` runs inside the event.
class Records : public weft::FramingProtocol {
public:
    std::vector<std::string> records;
    std::vector<std::uint64_t> offsets;
    std::function<void(std::string_view)> onRecord;

    using FramingProtocol::dropConnection;
    using FramingProtocol::pushFront;
    using FramingProtocol::takeUnparsed;

private:
    bool deliverNext() override {
        std::string_view data = unparsed();
        if (data.size() < 3) return false;
        offsets.push_back(offset());
        consume(3);
        std::string_view record = data.substr(0, 3);
        records.emplace_back(record);
        if (onRecord) onRecord(record);
        return true;
    }
};

}  // namespace

TEST_CASE("records come out whole however the bytes are split, with their stream offsets") {
    for (const auto& pieces : weft::testing::everySplit("abcdefghij")) {
        CAPTURE(weft::testing::describe(pieces));
        weft::StringTransport t;
        Records r;
        r.makeConnection(t);
        for (const auto& piece : pieces) r.dataReceived(bytes(piece));
        CHECK(r.records == std::vector<std::string>{"abc", "def", "ghi"});
        CHECK(r.offsets == std::vector<std::uint64_t>{0, 3, 6});
    }
}

TEST_CASE("bytes arriving from inside an event are parsed after it, in order, and the view stays good") {
    weft::StringTransport t;
    Records r;
    r.makeConnection(t);
    bool fed = false;
    std::vector<std::string> seenAfterFeeding;
    r.onRecord = [&](std::string_view record) {
        if (!fed) {
            fed = true;
            // Enough to force the buffer to grow if it were appended at once.
            r.dataReceived(bytes(std::string(3000, 'x') + "yz"));
            seenAfterFeeding.emplace_back(record);  // still "abc": nothing moved under it
            CHECK(r.records.size() == 1);           // not delivered from inside
        }
    };
    r.dataReceived(bytes("abcdef"));
    CHECK(seenAfterFeeding == std::vector<std::string>{"abc"});
    REQUIRE(r.records.size() == 1002);
    CHECK(r.records[1] == "def");
    CHECK(r.records[2] == "xxx");
    CHECK(r.offsets[2] == 6);
    r.dataReceived(bytes("!"));  // "xyz" ends the x run, then "yz!" completes
    CHECK(r.records.back() == "yz!");
}

TEST_CASE("pauseProducing holds records back and pauses the transport; resumeProducing delivers them") {
    weft::StringTransport t;
    Records r;
    r.makeConnection(t);
    r.onRecord = [&](std::string_view record) {
        if (record == "def") r.pauseProducing();
    };
    r.dataReceived(bytes("abcdefghijk"));
    CHECK(r.records == std::vector<std::string>{"abc", "def"});
    CHECK(r.paused());
    CHECK(t.producerState() == weft::StringTransport::ProducerState::Paused);
    r.dataReceived(bytes("lmn"));  // a transport may still deliver a little after pausing
    CHECK(r.records.size() == 2);
    r.resumeProducing();
    CHECK(t.producerState() == weft::StringTransport::ProducerState::Producing);
    CHECK(r.records == std::vector<std::string>{"abc", "def", "ghi", "jkl"});
    r.dataReceived(bytes("o"));
    CHECK(r.records.back() == "mno");
}

TEST_CASE("pause and resume from inside one event goes on delivering") {
    weft::StringTransport t;
    Records r;
    r.makeConnection(t);
    r.onRecord = [&](std::string_view) {
        r.pauseProducing();
        r.resumeProducing();
    };
    r.dataReceived(bytes("abcdefghi"));
    CHECK(r.records.size() == 3);
    CHECK_FALSE(r.paused());
}

TEST_CASE("stopProducing pauses for good and tells the transport") {
    weft::StringTransport t;
    Records r;
    r.makeConnection(t);
    r.stopProducing();
    r.dataReceived(bytes("abc"));
    CHECK(r.records.empty());
    CHECK(t.producerState() == weft::StringTransport::ProducerState::Stopped);
}

TEST_CASE("dropConnection records the first reason, stops parsing and loses the connection") {
    weft::StringTransport t;
    Records r;
    r.makeConnection(t);
    r.onRecord = [&](std::string_view record) {
        if (record == "bad") {
            r.dropConnection(weft::Failure(weft::LineTooLongError(1, 3)));
            r.dropConnection(weft::Failure(std::runtime_error("second")));  // ignored
        }
    };
    r.dataReceived(bytes("okkbadmore"));
    CHECK(r.records == std::vector<std::string>{"okk", "bad"});
    CHECK(t.disconnecting());
    CHECK(r.stopped());
    REQUIRE(r.protocolFailure() != nullptr);
    CHECK(r.protocolFailure()->check<weft::LineTooLongError>());
    r.dataReceived(bytes("abcdef"));
    CHECK(r.records.size() == 2);
}

TEST_CASE("after connectionLost nothing is parsed, and pause/resume no longer touch a transport") {
    weft::StringTransport t;
    Records r;
    r.makeConnection(t);
    r.dataReceived(bytes("ab"));
    r.connectionLost(weft::ConnectionError::Done);
    r.dataReceived(bytes("c"));
    CHECK(r.records.empty());
    CHECK(r.protocolFailure() == nullptr);
    r.pauseProducing();
    r.resumeProducing();
    r.stopProducing();
    CHECK(t.producerState() == weft::StringTransport::ProducerState::Producing);
}

TEST_CASE("a protocol destroyed inside its own event is not touched again") {
    weft::StringTransport t;
    auto owned = std::make_unique<Records>();
    Records* r = owned.get();
    r->makeConnection(t);
    int seen = 0;
    r->onRecord = [&](std::string_view) {
        ++seen;
        owned.reset();  // as a transport that closes synchronously would
    };
    r->dataReceived(bytes("abcdefghi"));
    CHECK(seen == 1);
    CHECK(owned == nullptr);
}

TEST_CASE("an exception from an event leaves the receiver usable, with later bytes kept") {
    weft::StringTransport t;
    Records r;
    r.makeConnection(t);
    r.onRecord = [&](std::string_view record) {
        if (record == "abc") {
            r.dataReceived(bytes("jkl"));
            throw std::runtime_error("handler failed");
        }
    };
    CHECK_THROWS_AS(r.dataReceived(bytes("abcdefghi")), std::runtime_error);
    r.dataReceived(bytes(""));
    CHECK(r.records == std::vector<std::string>{"abc", "def", "ghi", "jkl"});
}

TEST_CASE("pushFront parses bytes before the rest; takeUnparsed empties the buffer") {
    weft::StringTransport t;
    Records r;
    r.makeConnection(t);
    r.dataReceived(bytes("ab"));
    r.pushFront("xy");  // not inside an event: parsed at once
    CHECK(r.records == std::vector<std::string>{"xya"});
    CHECK(r.takeUnparsed() == "b");
    r.dataReceived(bytes("cde"));
    CHECK(r.records.back() == "cde");

    r.onRecord = [&](std::string_view record) {
        if (record == "123") r.pushFront("pp");  // inside: goes before the unparsed "45"
    };
    r.dataReceived(bytes("12345"));
    CHECK(r.records.back() == "pp4");
    CHECK(r.takeUnparsed() == "5");
}
