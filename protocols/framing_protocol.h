// SPDX-License-Identifier: MIT
// protocols/framing_protocol.h: FramingProtocol, what LineReceiver, the length-prefixed and the
// netstring receivers share: a buffer of unparsed bytes, pausing, re-entrancy and dropping the
// connection when the peer breaks the framing.
// Tests: tests/protocols/framing_protocol_test.cpp
//
// A subclass implements deliverNext(): look at unparsed(), consume() what it used and deliver at
// most one event (lineReceived, stringReceived...). dataReceived() (final: users override the
// events) calls it until it needs more bytes, the receiver is paused, or it stopped.
// Guarantees a subclass and its users rely on:
// - An event's string_view points into the buffer and stays valid until the event returns.
//   Bytes that arrive while an event runs (a dataReceived from inside it) are queued and parsed
//   after it returns, so the buffer never moves under a view, and the events come in order.
// - pauseProducing() (Twisted's _PauseableMixin) holds further events, buffered, until
//   resumeProducing(), and pauses the transport too. It may be called from inside an event.
// - dropConnection(failure) records why (protocolFailure()), stops all parsing and calls the
//   transport's loseConnection(); the transport then calls connectionLost(Done) as usual.
// - The protocol may be destroyed from inside an event (a transport that closes synchronously):
//   nothing touches it afterwards.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "defer/failure.h"
#include "protocols/protocol.h"

namespace weft {

class FramingProtocol : public Protocol, public IProducer {
public:
    FramingProtocol() = default;
    ~FramingProtocol() override;
    FramingProtocol(const FramingProtocol&) = delete;
    FramingProtocol& operator=(const FramingProtocol&) = delete;

    void dataReceived(std::span<const std::byte> data) final;
    void connectionLost(std::error_code reason) override;  // stops parsing; call it from overrides

    void pauseProducing() override;
    void resumeProducing() override;  // delivers what was held back, before returning
    void stopProducing() override;    // paused for good; tells the transport to stop
    [[nodiscard]] bool paused() const noexcept { return paused_; }

    // The peer broke the framing and the connection was dropped for it: a LineTooLongError,
    // StringTooLongError, NetstringParseError... Null otherwise.
    [[nodiscard]] const Failure* protocolFailure() const noexcept {
        return failure_ ? &*failure_ : nullptr;
    }
    [[nodiscard]] bool stopped() const noexcept { return stopped_; }

protected:
    // Delivers at most one event from unparsed(); false when nothing can happen without more bytes.
    virtual bool deliverNext() = 0;

    [[nodiscard]] std::string_view unparsed() const noexcept {
        return std::string_view(buffer_).substr(pos_);
    }
    void consume(std::size_t n) noexcept { pos_ += n; }
    // The stream offset (bytes since the connection began) of unparsed()[0].
    [[nodiscard]] std::uint64_t offset() const noexcept { return base_ + pos_; }

    // Parses `bytes` before anything still unparsed: LineReceiver::setLineMode(extra). From
    // inside an event, that happens after the event returns; otherwise at once.
    void pushFront(std::string_view bytes);
    // Empties the buffer and returns what was unparsed (LineReceiver::clearLineBuffer).
    std::string takeUnparsed();
    // Records `why` (unless a reason was recorded already), stops parsing for good and asks the
    // transport to close.
    void dropConnection(Failure why);
    // Parses nothing more; later bytes are dropped. For a stream that cannot be resynchronised.
    void stopParsing() noexcept { stopped_ = true; }

private:
    class Parsing;
    void parse();
    void absorbArrivals();

    std::string buffer_;
    std::size_t pos_ = 0;      // buffer_[0, pos_) is parsed already
    std::uint64_t base_ = 0;   // stream offset of buffer_[0]
    std::string arrived_;      // came in while an event ran: goes after the buffer
    std::string pushed_;       // pushFront while an event ran: goes before the unparsed bytes
    bool busy_ = false;        // parse() is on the stack
    bool paused_ = false;
    bool stopped_ = false;
    bool* destroyed_ = nullptr;  // parse()'s flag, set by the destructor
    std::optional<Failure> failure_;
};

}  // namespace weft
