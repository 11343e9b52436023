// SPDX-License-Identifier: MIT
// reactor/write_buffer.h: WriteBuffer, bytes accepted by write() and not yet sent.
// Tests: tests/reactor/write_buffer_test.cpp
//
// One contiguous vector and a read offset: appends go at the end, sends consume from the
// front, and the consumed prefix is dropped only when it is at least half the vector, so
// each byte is moved at most once on average. An empty buffer holds no memory.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace weft {

class WriteBuffer {
public:
    void append(std::span<const std::byte> data) {
        if (data.empty()) return;
        if (offset_ > 0 && offset_ >= bytes_.size() / 2) compact();
        bytes_.insert(bytes_.end(), data.begin(), data.end());
    }
    [[nodiscard]] std::span<const std::byte> pending() const noexcept {
        return std::span<const std::byte>(bytes_).subspan(offset_);
    }
    void consume(std::size_t n) noexcept {
        offset_ += n;
        if (offset_ >= bytes_.size()) clear();
    }
    void clear() noexcept {
        std::vector<std::byte>().swap(bytes_);  // give the memory back: idle connections hold none
        offset_ = 0;
    }
    [[nodiscard]] std::size_t size() const noexcept { return bytes_.size() - offset_; }
    [[nodiscard]] bool empty() const noexcept { return size() == 0; }

private:
    void compact() {
        bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(offset_));
        offset_ = 0;
    }
    std::vector<std::byte> bytes_;
    std::size_t offset_ = 0;
};

}  // namespace weft
