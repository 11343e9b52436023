// SPDX-License-Identifier: MIT
// protocols/line_receiver.h: LineReceiver, a protocol that receives lines, and can switch to raw
// bytes and back (Twisted's twisted.protocols.basic.LineReceiver).
// Tests: tests/protocols/line_receiver_test.cpp
//
//   class Echo : public weft::LineReceiver {
//       void lineReceived(std::string_view line) override { sendLine(line); }
//   };
//
// Lines end with delimiter() ("\r\n" unless set), which is not part of the line. A line longer
// than maxLength() bytes calls lineLengthExceeded(), whose default drops the connection with a
// LineTooLongError (protocolFailure()); it fires as soon as maxLength + delimiter length bytes
// have come with no delimiter, so it comes at the same point however the bytes were split. An
// override that keeps the connection skips the rest of that line. setRawMode() inside
// lineReceived() hands every byte after that line to rawDataReceived(); setLineMode(extra)
// inside rawDataReceived() goes back to lines, parsing `extra` (the bytes it did not use) first.
// Views given to lineReceived/rawDataReceived/lineLengthExceeded are valid until they return
// (and no longer after clearLineBuffer()). See FramingProtocol for pausing and re-entrancy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "protocols/framing_protocol.h"

namespace weft {

class LineReceiver : public FramingProtocol {
public:
    static constexpr std::size_t defaultMaxLength = 16384;  // Twisted's MAX_LENGTH

    // Throws std::invalid_argument for an empty delimiter.
    explicit LineReceiver(std::string delimiter = "\r\n", std::size_t maxLength = defaultMaxLength);

    // Writes line + delimiter (nothing if not connected: writes after connectionLost vanish, as
    // they do on a closed Twisted transport).
    void sendLine(std::string_view line);

    void setRawMode();
    void setLineMode(std::string_view extra = {});
    [[nodiscard]] bool lineMode() const noexcept { return lineMode_; }
    // Returns and forgets whatever is buffered and not yet delivered.
    std::string clearLineBuffer();

    void setDelimiter(std::string delimiter);  // applies from the next line on; non-empty
    [[nodiscard]] const std::string& delimiter() const noexcept { return delimiter_; }
    void setMaxLength(std::size_t maxLength) noexcept { maxLength_ = maxLength; }
    [[nodiscard]] std::size_t maxLength() const noexcept { return maxLength_; }

protected:
    virtual void lineReceived(std::string_view line) = 0;
    // Raw mode's bytes. The default throws std::logic_error: calling setRawMode() without
    // overriding this is a bug.
    virtual void rawDataReceived(std::span<const std::byte> data);
    // `line` is the first maxLength + 1 bytes of the line that was too long. The default is
    // dropConnection(LineTooLongError(maxLength, offset where the line began)).
    virtual void lineLengthExceeded(std::string_view line);

private:
    bool deliverNext() override;
    bool skipLongLine(std::string_view data);

    std::string delimiter_;
    std::size_t maxLength_;
    std::size_t scanned_ = 0;     // unparsed()[0, scanned_) holds no delimiter start
    std::uint64_t lineStart_ = 0;  // stream offset of the line lineLengthExceeded is about
    bool lineMode_ = true;
    bool skipping_ = false;       // after lineLengthExceeded without a drop: to the next delimiter
};

}  // namespace weft
