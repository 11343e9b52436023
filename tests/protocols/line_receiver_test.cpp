// SPDX-License-Identifier: MIT
// LineReceiver: lines, limits and raw mode, each input fed whole, byte by byte and split at
// every byte, which must all give the same events; a model of the rules checks random inputs.
#include "protocols/line_receiver.h"

#include <doctest/doctest.h>

#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocols/errors.h"
#include "protocols/string_transport.h"
#include "reactor/errors.h"
#include "tests/protocols/helpers.h"

using weft::testing::bytes;
using weft::testing::describe;
using weft::testing::everySplit;

namespace {

// Records events as text. Commands in lines drive the modes, in the spirit of Twisted's
// LineTester: "raw N" reads N raw bytes then goes back to lines; "pause" pauses.
class Lines : public weft::LineReceiver {
public:
    using LineReceiver::LineReceiver;
    std::vector<std::string> events;
    bool keepLongLines = false;  // record lineLengthExceeded instead of dropping
    std::size_t rawLeft = 0;

    void lineReceived(std::string_view line) override {
        events.push_back("line:" + std::string(line));
        if (line.starts_with("raw ")) {
            rawLeft = std::stoul(std::string(line.substr(4)));
            setRawMode();
        } else if (line == "pause") {
            pauseProducing();
        }
    }
    void rawDataReceived(std::span<const std::byte> data) override {
        std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
        std::string_view mine = text.substr(0, rawLeft);
        rawLeft -= mine.size();
        // Adjacent raw chunks are one event: how raw bytes are cut depends on the reads.
        if (!events.empty() && events.back().starts_with("raw:")) events.back() += mine;
        else events.push_back("raw:" + std::string(mine));
        if (rawLeft == 0) setLineMode(text.substr(mine.size()));
    }
    void lineLengthExceeded(std::string_view line) override {
        if (!keepLongLines) return LineReceiver::lineLengthExceeded(line);
        events.push_back("long:" + std::string(line));
    }
};

struct Run {
    std::vector<std::string> events;
    bool disconnecting = false;
    std::string failure;  // describe() of protocolFailure(), if any
};

Run feed(const std::vector<std::string>& pieces, const std::string& delimiter, std::size_t maxLength,
         bool keepLongLines = false) {
    weft::StringTransport t;
    Lines p(delimiter, maxLength);
    p.keepLongLines = keepLongLines;
    p.makeConnection(t);
    for (const auto& piece : pieces) {
        p.dataReceived(bytes(piece));
        while (p.paused()) p.resumeProducing();  // each resume delivers at least one line
    }
    Run run{p.events, t.disconnecting(), {}};
    if (const weft::Failure* f = p.protocolFailure()) run.failure = f->message();
    return run;
}

// Feeds `input` split every way; every split must give what the whole input gives.
Run checkEverySplit(const std::string& input, const std::string& delimiter = "\r\n",
                    std::size_t maxLength = weft::LineReceiver::defaultMaxLength, bool keepLongLines = false) {
    auto splits = everySplit(input);
    Run whole = feed(splits.front(), delimiter, maxLength, keepLongLines);
    for (std::size_t i = 1; i < splits.size(); ++i) {
        CAPTURE(describe(splits[i]));
        Run split = feed(splits[i], delimiter, maxLength, keepLongLines);
        CHECK(split.events == whole.events);
        CHECK(split.disconnecting == whole.disconnecting);
        CHECK(split.failure == whole.failure);
    }
    return whole;
}

using Events = std::vector<std::string>;

}  // namespace

TEST_CASE("lines split on \\r\\n, without the delimiter, however the bytes arrive") {
    Run run = checkEverySplit("hello\r\n\r\nworld\r\npartial");
    CHECK(run.events == Events{"line:hello", "line:", "line:world"});
    CHECK_FALSE(run.disconnecting);
}

TEST_CASE("a lone \\r or \\n is part of the line; other delimiters work the same") {
    CHECK(checkEverySplit("a\rb\nc\r\n").events == Events{"line:a\rb\nc"});
    CHECK(checkEverySplit("one\ntwo\n\nthree", "\n").events == Events{"line:one", "line:two", "line:"});
    CHECK(checkEverySplit("x--END--y--END----END--", "--END--").events == Events{"line:x", "line:y", "line:"});
}

TEST_CASE("self-overlapping delimiters are found where they first start") {
    CHECK(checkEverySplit("aaab|aab|", "aab").events == Events{"line:a", "line:|"});
    CHECK(checkEverySplit("abababc.ababc", "ababc").events == Events{"line:ab", "line:."});
}

TEST_CASE("a line of exactly maxLength is fine; one byte more drops the connection with LineTooLongError") {
    CHECK(checkEverySplit("abcd\r\nefgh\r\n", "\r\n", 4).events == Events{"line:abcd", "line:efgh"});

    for (const char* input : {"ok\r\nabcde\r\nnever\r\n", "ok\r\nabcdef", "ok\r\nabcdefghij\r\nnever\r\n"}) {
        CAPTURE(input);
        Run run = checkEverySplit(input, "\r\n", 4);
        CHECK(run.events == Events{"line:ok"});
        CHECK(run.disconnecting);
        CHECK(run.failure == "line longer than 4 bytes (starting at byte 4)");
    }
    // Twisted's rule: too long once maxLength + delimiter length bytes hold no delimiter.
    CHECK_FALSE(checkEverySplit("abcde", "\r\n", 4).disconnecting);
    CHECK_FALSE(checkEverySplit("abcd\r", "\r\n", 4).disconnecting);
    CHECK(checkEverySplit("abcde\r", "\r\n", 4).disconnecting);
}

TEST_CASE("the default lineLengthExceeded's typed error, checked on the Failure itself") {
    weft::StringTransport t;
    Lines p("\n", 3);
    p.makeConnection(t);
    p.dataReceived(bytes("abc\nxyzw"));
    REQUIRE(p.protocolFailure() != nullptr);
    CHECK(p.protocolFailure()->check<weft::LineTooLongError>());
    try {
        p.protocolFailure()->raise();
    } catch (const weft::LineTooLongError& e) {
        CHECK(e.code() == weft::ProtocolError::LineTooLong);
        CHECK(e.maxLength() == 3);
        CHECK(e.offset() == 4);
    }
    CHECK(t.disconnecting());
    p.dataReceived(bytes("\nmore\n"));  // dropped: nothing more is delivered
    CHECK(p.events == Events{"line:abc"});
}

TEST_CASE("an override that keeps the connection skips the rest of the long line") {
    Run run = checkEverySplit("ab\r\ntoolongline\r\ncd\r\nxxxxxxxxx", "\r\n", 4, true);
    CHECK(run.events == Events{"line:ab", "long:toolo", "line:cd", "long:xxxxx"});
    CHECK_FALSE(run.disconnecting);
    // The delimiter split between the kept tail and new bytes is still found.
    CHECK(checkEverySplit("abcdefg\r\nh\r\n", "\r\n", 2, true).events == Events{"long:abc", "line:h"});
}

TEST_CASE("setRawMode inside lineReceived hands the rest to rawDataReceived; setLineMode(extra) comes back") {
    Run run = checkEverySplit("raw 5\r\n01234after\r\nraw 0\r\nraw 3\r\n\r\n\r\nlast\r\n");
    CHECK(run.events ==
          Events{"line:raw 5", "raw:01234", "line:after", "line:raw 0", "raw:", "line:raw 3", "raw:\r\n\r", "line:\nlast"});
}

TEST_CASE("raw mode bytes are not limited by maxLength") {
    Run run = checkEverySplit("raw 10\n0123456789x\n", "\n", 6);
    CHECK(run.events == Events{"line:raw 10", "raw:0123456789", "line:x"});
}

TEST_CASE("pausing inside lineReceived holds the following lines until resumeProducing") {
    weft::StringTransport t;
    Lines p;
    p.makeConnection(t);
    p.dataReceived(bytes("a\r\npause\r\nb\r\nc\r\n"));
    CHECK(p.events == Events{"line:a", "line:pause"});
    CHECK(t.producerState() == weft::StringTransport::ProducerState::Paused);
    p.resumeProducing();
    CHECK(p.events == Events{"line:a", "line:pause", "line:b", "line:c"});
    CHECK(checkEverySplit("a\r\npause\r\nb\r\npause\r\nc\r\n").events ==
          Events{"line:a", "line:pause", "line:b", "line:pause", "line:c"});
}

TEST_CASE("after loseConnection inside lineReceived, no further buffered line is delivered") {
    struct Quitter final : weft::LineReceiver {
        std::vector<std::string> lines;
        void lineReceived(std::string_view line) override {
            lines.emplace_back(line);
            if (line == "quit") transport_->loseConnection();
        }
    };
    weft::StringTransport t;
    Quitter p;
    p.makeConnection(t);
    p.dataReceived(bytes("a\r\nquit\r\nb\r\nc\r\n"));
    CHECK(p.lines == std::vector<std::string>{"a", "quit"});
    CHECK(t.disconnecting());
}

TEST_CASE("sendLine writes the line and the delimiter; nothing when not connected") {
    weft::StringTransport t;
    Lines p("\n");
    p.sendLine("nowhere");
    p.makeConnection(t);
    p.sendLine("hello");
    p.sendLine("");
    CHECK(t.value() == "hello\n\n");
    p.setDelimiter("\r\n");
    p.sendLine("x");
    CHECK(t.value() == "hello\n\nx\r\n");
    p.connectionLost(weft::ConnectionError::Done);
    p.sendLine("after");
    CHECK(t.value() == "hello\n\nx\r\n");
}

TEST_CASE("the delimiter may change between lines; an empty one is refused") {
    weft::StringTransport t;
    Lines p("\n");
    p.makeConnection(t);
    p.dataReceived(bytes("a\nb;c;"));
    p.setDelimiter(";");
    p.dataReceived(bytes(""));  // the buffered "b;c;" is parsed with the new delimiter
    CHECK(p.events == Events{"line:a", "line:b", "line:c"});
    CHECK(p.delimiter() == ";");
    CHECK_THROWS_AS(p.setDelimiter(""), std::invalid_argument);
    CHECK_THROWS_AS(Lines(""), std::invalid_argument);
}

TEST_CASE("clearLineBuffer returns what was not delivered and forgets it") {
    weft::StringTransport t;
    Lines p;
    p.makeConnection(t);
    p.dataReceived(bytes("one\r\ntw"));
    CHECK(p.clearLineBuffer() == "tw");
    p.dataReceived(bytes("o\r\n"));
    CHECK(p.events == Events{"line:one", "line:o"});
}

namespace {
class LineOnly : public weft::LineReceiver {
    void lineReceived(std::string_view line) override {
        if (line == "raw") setRawMode();
    }
};
}  // namespace

TEST_CASE("setRawMode without overriding rawDataReceived is a logic error") {
    weft::StringTransport t;
    LineOnly p;
    p.makeConnection(t);
    CHECK_THROWS_AS(p.dataReceived(bytes("raw\r\nbytes")), std::logic_error);
    CHECK_FALSE(p.lineMode());
}

TEST_CASE("maxLength and lineMode are visible and settable") {
    Lines p;
    CHECK(p.maxLength() == 16384);
    CHECK(p.delimiter() == "\r\n");
    CHECK(p.lineMode());
    p.setMaxLength(10);
    CHECK(p.maxLength() == 10);
}

TEST_CASE("a long line arriving a byte at a time is found in linear time") {
    weft::StringTransport t;
    Lines p("\r\n", 4 << 20);
    p.makeConnection(t);
    std::string line(1 << 20, 'x');
    for (char c : line) p.dataReceived(bytes(std::string_view(&c, 1)));
    p.dataReceived(bytes("\r\n"));
    REQUIRE(p.events.size() == 1);
    CHECK(p.events[0].size() == 5 + line.size());
}

namespace {

// The rules, applied to the whole input at once (long lines recorded, not dropped).
Events model(const std::string& input, const std::string& delimiter, std::size_t maxLength) {
    Events events;
    std::size_t pos = 0;
    for (;;) {
        std::size_t at = input.find(delimiter, pos);
        if (at == std::string::npos) {
            if (input.size() - pos >= maxLength + delimiter.size())
                events.push_back("long:" + input.substr(pos, maxLength + 1));
            return events;
        }
        if (at - pos > maxLength) events.push_back("long:" + input.substr(pos, maxLength + 1));
        else events.push_back("line:" + input.substr(pos, at - pos));
        pos = at + delimiter.size();
    }
}

}  // namespace

TEST_CASE("random inputs: every split gives what the model of the rules gives") {
    std::mt19937 random(12345);
    const std::vector<std::string> delimiters{"\n", "\r\n", "aab", "abab"};
    const std::string alphabet = "ab\r\n";
    for (int i = 0; i < 300; ++i) {
        const std::string& delimiter = delimiters[i % delimiters.size()];
        std::size_t maxLength = random() % 5;
        std::string input;
        for (std::size_t n = random() % 20; n > 0; --n) input += alphabet[random() % alphabet.size()];
        CAPTURE(input);
        CAPTURE(delimiter);
        CAPTURE(maxLength);
        Run run = checkEverySplit(input, delimiter, maxLength, true);
        CHECK(run.events == model(input, delimiter, maxLength));
    }
}
