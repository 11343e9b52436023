// SPDX-License-Identifier: MIT
// protocols/framing_protocol.cpp: the parse loop shared by the framings. Bytes arriving while an
// event runs are set aside rather than appended, because appending could move the buffer that
// the running event's string_view points into.
// Tests: tests/protocols/framing_protocol_test.cpp
#include "protocols/framing_protocol.h"

#include <utility>

namespace weft {

// Marks parse() as running; on the way out (also by an exception from an event) it folds in
// what arrived meanwhile, unless the protocol was destroyed by the event.
class FramingProtocol::Parsing {
public:
    explicit Parsing(FramingProtocol& p) : p_(p) {
        p_.busy_ = true;
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic push
// The pointer to this local is cleared by ~Parsing, or is never read again because the
// protocol holding it was destroyed; g++ cannot see the second case.
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif
        p_.destroyed_ = &destroyed_;
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic pop
#endif
    }
    ~Parsing() {
        if (destroyed_) return;
        p_.destroyed_ = nullptr;
        p_.busy_ = false;
        p_.absorbArrivals();
        if (p_.stopped_) {  // nothing will be parsed again
            p_.buffer_ = std::string();
            p_.pos_ = 0;
        } else if (p_.pos_ > 0) {  // once per dataReceived: memory stays about one frame
            p_.buffer_.erase(0, p_.pos_);
            p_.base_ += p_.pos_;
            p_.pos_ = 0;
        }
    }
    Parsing(const Parsing&) = delete;
    Parsing& operator=(const Parsing&) = delete;
    [[nodiscard]] bool destroyed() const noexcept { return destroyed_; }

private:
    FramingProtocol& p_;
    bool destroyed_ = false;
};

FramingProtocol::~FramingProtocol() {
    if (destroyed_) *destroyed_ = true;
}

void FramingProtocol::dataReceived(std::span<const std::byte> data) {
    std::string_view bytes(reinterpret_cast<const char*>(data.data()), data.size());
    if (stopped_) return;
    if (busy_) {
        arrived_.append(bytes);
        return;
    }
    buffer_.append(bytes);
    parse();
}

void FramingProtocol::parse() {
    Parsing parsing(*this);
    while (!paused_ && !stopped_) {
        // After loseConnection() nothing more is delivered (Twisted's LineReceiver checks
        // transport.disconnecting the same way).
        if (transport_ && transport_->disconnecting()) break;
        bool progressed = deliverNext();
        if (parsing.destroyed()) return;
        bool absorbed = !arrived_.empty() || !pushed_.empty();
        absorbArrivals();
        if (!progressed && !absorbed) break;
    }
}

void FramingProtocol::absorbArrivals() {
    if (stopped_) {
        arrived_.clear();
        pushed_.clear();
        return;
    }
    if (!pushed_.empty()) {
        // Only setLineMode(extra) gets here, after handing everything to rawDataReceived: the
        // pushed bytes are the tail of what was consumed, so they take its stream offsets.
        buffer_.erase(0, pos_);
        base_ += pos_;
        pos_ = 0;
        buffer_.insert(0, pushed_);
        base_ = base_ >= pushed_.size() ? base_ - pushed_.size() : 0;
        pushed_.clear();
    }
    if (!arrived_.empty()) {
        buffer_.append(arrived_);
        arrived_.clear();
    }
}

void FramingProtocol::pushFront(std::string_view bytes) {
    if (stopped_ || bytes.empty()) return;
    pushed_.append(bytes);
    if (!busy_) {
        absorbArrivals();
        parse();
    }
}

std::string FramingProtocol::takeUnparsed() {
    std::string rest = pushed_;
    rest.append(unparsed());
    rest.append(arrived_);
    // clear() keeps the allocation, so a running event's view does not dangle (it is stale).
    base_ += buffer_.size() + arrived_.size();  // pushed_ bytes were counted when first consumed
    buffer_.clear();
    pos_ = 0;
    pushed_.clear();
    arrived_.clear();
    return rest;
}

void FramingProtocol::dropConnection(Failure why) {
    if (failure_) return;  // the first reason is the one that counts
    failure_.emplace(std::move(why));
    stopped_ = true;
    if (transport_) transport_->loseConnection();
}

void FramingProtocol::connectionLost(std::error_code reason) {
    stopped_ = true;
    Protocol::connectionLost(reason);
}

void FramingProtocol::pauseProducing() {
    paused_ = true;
    if (transport_) transport_->pauseProducing();
}

void FramingProtocol::resumeProducing() {
    paused_ = false;
    if (transport_) transport_->resumeProducing();
    if (!busy_ && !stopped_) parse();  // inside an event, the running parse() goes on by itself
}

void FramingProtocol::stopProducing() {
    paused_ = true;
    if (transport_) transport_->stopProducing();
}

}  // namespace weft
