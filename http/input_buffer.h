// SPDX-License-Identifier: MIT
// http/input_buffer.h: the bytes a parser was fed and has not consumed yet. It holds a view
// of the caller's last feed() while that is enough, and copies only what must outlive it: a
// partial head, or whatever is left when the parser returns NeedData or ends a message.
// Tests: through tests/http/response_parser_test.cpp and request_parser_test.cpp.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace weft::http {

class InputBuffer {
public:
    // Precondition: the view of the previous feed() was kept (keep()) or used up; otherwise
    // those bytes may already be gone, and appending them would read freed memory.
    void feed(std::string_view bytes) {
        if (bytes.empty()) return;
        if (!input_.empty())
            throw std::logic_error("weft::http parser: feed() before next() returned NeedData or MessageEnd");
        if (pos_ < buf_.size()) {
            compact();
            buf_.append(bytes);
        } else {
            buf_.clear();
            pos_ = 0;
            input_ = bytes;
        }
    }

    // The unconsumed bytes; valid until the next feed(), keep() or discardAll().
    [[nodiscard]] std::string_view data() const noexcept {
        return pos_ < buf_.size() ? std::string_view(buf_).substr(pos_) : input_;
    }
    [[nodiscard]] std::size_t size() const noexcept { return data().size(); }

    void consume(std::size_t n) noexcept {
        if (pos_ < buf_.size()) {
            pos_ += n;
        } else {
            input_.remove_prefix(n);
        }
        offset_ += n;
    }

    // Copies what is left of the caller's view, so the caller may free its bytes.
    void keep() {
        if (input_.empty()) return;
        compact();
        buf_.append(input_);
        input_ = {};
    }

    void discardAll() noexcept { consume(size()); }

    // Stream offset (bytes consumed since construction) of data()[0].
    [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }

private:
    void compact() {
        buf_.erase(0, pos_);
        pos_ = 0;
    }

    std::string buf_;        // copied bytes; buf_[pos_..] unconsumed
    std::size_t pos_ = 0;
    std::string_view input_;  // the caller's bytes, when buf_ has nothing unconsumed
    std::uint64_t offset_ = 0;
};

}  // namespace weft::http
