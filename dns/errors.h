// SPDX-License-Identifier: MIT
// dns/errors.h: what can go wrong in a lookup, as weft::Error subclasses with codes in the
// "weft.dns" category. Tests: tests/dns/errors_test.cpp
//
// Whose fault: InvalidName is the caller's (a name that cannot be put on the wire);
// MalformedMessage is the server's (bytes that are not a DNS message, with the reason and the
// byte offset); the ResolveError family says how a lookup ended, naming the name asked and the
// server that answered last ("" for the hosts file or when no server was reached).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

#include "defer/errors.h"

namespace weft::dns {

enum class DnsError {
    InvalidName = 1,   // caller: a label over 63 bytes, a name over 255, an empty label
    MalformedMessage,  // server: bytes that do not decode as a DNS message
    NameNotFound,      // NXDOMAIN: the name does not exist
    NoAddresses,       // NODATA: the name exists but has no record of the type asked
    ServerFailure,     // SERVFAIL (or another rcode that says the server could not answer)
    Refused,           // REFUSED
    Timeout,           // no usable answer before the attempts ran out or the deadline passed
    CnameLoop,         // a CNAME chain that loops or is longer than the limit
    NoNameservers,     // resolv.conf names no server (and the caller gave none)
};

// Why a message is malformed; MalformedMessage::reason().
enum class Malformed {
    Truncated = 1,        // the message ends inside a header, question, record or name
    PointerLoop,          // compression pointers that loop (or are chained too long)
    PointerForward,       // a compression pointer to itself or past the name it is in
    PointerOutOfRange,    // a compression pointer outside the message
    LabelTooLong,         // a label over 63 bytes
    NameTooLong,          // a name over 255 bytes on the wire
    BadLabelType,         // the reserved label types 0x40 and 0x80
    RdataOverrun,         // rdlength past the end of the message
    BadRdata,             // rdata that does not fit its type (an A record of 5 bytes, ...)
    CountMismatch,        // more records announced than the message holds
    TrailingBytes,        // bytes after the last record
};

[[nodiscard]] const std::error_category& dnsCategory() noexcept;
[[nodiscard]] std::error_code make_error_code(DnsError e) noexcept;
[[nodiscard]] std::string_view describe(Malformed reason) noexcept;

}  // namespace weft::dns

template <>
struct std::is_error_code_enum<weft::dns::DnsError> : std::true_type {};

namespace weft::dns {

class InvalidName : public Error {
public:
    InvalidName(std::string_view name, std::string_view why);
};

// How a lookup ended. name(): the name asked; server(): "IP:port" of the server whose answer
// (or silence) decided it, "" when none did.
class ResolveError : public Error {
public:
    ResolveError(DnsError code, std::string_view name, std::string_view server, std::string_view detail = {});
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] const std::string& server() const noexcept { return server_; }

private:
    std::string name_;
    std::string server_;
};

class NameNotFound : public ResolveError {
public:
    NameNotFound(std::string_view name, std::string_view server) : ResolveError(DnsError::NameNotFound, name, server) {}
};

class NoAddresses : public ResolveError {
public:
    NoAddresses(std::string_view name, std::string_view server, std::string_view detail = {})
        : ResolveError(DnsError::NoAddresses, name, server, detail) {}
};

class ServerFailure : public ResolveError {
public:
    ServerFailure(std::string_view name, std::string_view server, std::string_view detail = {})
        : ResolveError(DnsError::ServerFailure, name, server, detail) {}
};

class Refused : public ResolveError {
public:
    Refused(std::string_view name, std::string_view server) : ResolveError(DnsError::Refused, name, server) {}
};

class Timeout : public ResolveError {
public:
    Timeout(std::string_view name, std::string_view server, std::string_view detail = {})
        : ResolveError(DnsError::Timeout, name, server, detail) {}
};

class CnameLoop : public ResolveError {
public:
    CnameLoop(std::string_view name, std::string_view server) : ResolveError(DnsError::CnameLoop, name, server) {}
};

class NoNameservers : public ResolveError {
public:
    explicit NoNameservers(std::string_view name) : ResolveError(DnsError::NoNameservers, name, "") {}
};

// The decoder throws it with name() and server() empty; the resolver, when the only answers it
// got were malformed, fails the lookup with one that names both.
class MalformedMessage : public ResolveError {
public:
    MalformedMessage(Malformed reason, std::size_t offset, std::string_view name = {}, std::string_view server = {});
    [[nodiscard]] Malformed reason() const noexcept { return reason_; }
    [[nodiscard]] std::size_t offset() const noexcept { return offset_; }

private:
    Malformed reason_;
    std::size_t offset_;
};

}  // namespace weft::dns
