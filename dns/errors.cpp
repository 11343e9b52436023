// SPDX-License-Identifier: MIT
// dns/errors.cpp: the "weft.dns" category and the messages of dns/' errors. Every message
// names what was asked and who answered, because "NXDOMAIN" alone is useless in a log.
// Tests: tests/dns/errors_test.cpp
#include "dns/errors.h"

#include <string>

namespace weft::dns {
namespace {

class DnsCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "weft.dns"; }
    std::string message(int value) const override {
        switch (static_cast<DnsError>(value)) {
            case DnsError::InvalidName: return "invalid DNS name";
            case DnsError::MalformedMessage: return "malformed DNS message";
            case DnsError::NameNotFound: return "NXDOMAIN: name does not exist";
            case DnsError::NoAddresses: return "NODATA: name has no records of the type asked";
            case DnsError::ServerFailure: return "SERVFAIL: server could not answer";
            case DnsError::Refused: return "REFUSED: server refused the query";
            case DnsError::Timeout: return "DNS lookup timed out";
            case DnsError::CnameLoop: return "CNAME chain loops or is too long";
            case DnsError::NoNameservers: return "no nameservers configured";
        }
        return "unknown dns error " + std::to_string(value);
    }
};

// "<code>: <name> (server <server>): <detail>", leaving out whatever is empty.
std::string resolveMessage(DnsError code, std::string_view name, std::string_view server, std::string_view detail) {
    std::string text = make_error_code(code).message();
    if (!name.empty()) text.append(": ").append(name);
    if (!server.empty()) text.append(" (server ").append(server).append(")");
    if (!detail.empty()) text.append(": ").append(detail);
    return text;
}

std::string malformedDetail(Malformed reason, std::size_t offset) {
    return std::string(describe(reason)) + " at byte " + std::to_string(offset);
}

}  // namespace

const std::error_category& dnsCategory() noexcept {
    static const DnsCategory category;
    return category;
}

std::error_code make_error_code(DnsError e) noexcept { return {static_cast<int>(e), dnsCategory()}; }

std::string_view describe(Malformed reason) noexcept {
    switch (reason) {
        case Malformed::Truncated: return "message ends too early";
        case Malformed::PointerLoop: return "compression pointer loop";
        case Malformed::PointerForward: return "compression pointer does not point backwards";
        case Malformed::PointerOutOfRange: return "compression pointer outside the message";
        case Malformed::LabelTooLong: return "label longer than 63 bytes";
        case Malformed::NameTooLong: return "name longer than 255 bytes";
        case Malformed::BadLabelType: return "reserved label type";
        case Malformed::RdataOverrun: return "record data runs past the end of the message";
        case Malformed::BadRdata: return "record data does not fit its type";
        case Malformed::CountMismatch: return "fewer records than the header announces";
        case Malformed::TrailingBytes: return "bytes after the last record";
    }
    return "unknown reason";
}

InvalidName::InvalidName(std::string_view name, std::string_view why)
    : Error(DnsError::InvalidName,
            make_error_code(DnsError::InvalidName).message() + " \"" + std::string(name) + "\": " + std::string(why)) {}

ResolveError::ResolveError(DnsError code, std::string_view name, std::string_view server, std::string_view detail)
    : Error(code, resolveMessage(code, name, server, detail)), name_(name), server_(server) {}

MalformedMessage::MalformedMessage(Malformed reason, std::size_t offset, std::string_view name,
                                   std::string_view server)
    : ResolveError(DnsError::MalformedMessage, name, server, malformedDetail(reason, offset)),
      reason_(reason),
      offset_(offset) {}

}  // namespace weft::dns
