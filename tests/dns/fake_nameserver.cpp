// SPDX-License-Identifier: MIT
// The test nameserver's sockets and its zone lookups.
#include "tests/dns/fake_nameserver.h"

#include <doctest/doctest.h>

#include "protocols/length_prefixed.h"

namespace weft::testing {

using namespace weft::dns;

namespace {

std::vector<std::byte> withId(std::vector<std::byte> bytes, std::uint16_t id) {
    if (bytes.size() >= 2) {
        bytes[0] = static_cast<std::byte>(id >> 8);
        bytes[1] = static_cast<std::byte>(id & 0xff);
    }
    return bytes;
}

}  // namespace

struct FakeNameserver::Impl final : IDatagramProtocol {
    FakeNameserver& owner;
    Reactor& reactor;
    std::unique_ptr<UdpPort> udp;
    std::unique_ptr<UdpPort> otherUdp;  // "the wrong port"
    std::unique_ptr<UdpPort> otherAddressUdp;  // the same port on 127.0.0.2: "the wrong address"
    struct NullDatagrams final : IDatagramProtocol {
        void datagramReceived(std::span<const std::byte>, const Address&) override {}
    } nullDatagrams;
    Factory tcpFactory;
    std::unique_ptr<ListeningPort> tcp;
    std::vector<DelayedCall> pending;

    Impl(FakeNameserver& o, Reactor& r) : owner(o), reactor(r) {}

    void send(const std::vector<std::byte>& bytes, const Address& to) { (void)udp->write(bytes, to); }

    void datagramReceived(std::span<const std::byte> data, const Address& from) override {
        Message query;
        try {
            query = decodeMessage(data);
        } catch (const MalformedMessage&) {
            return;
        }
        owner.queries.push_back({query, from, false});
        auto& m = owner.mischief;
        if (m.ignoreAll) return;
        if (m.ignore > 0) {
            --m.ignore;
            return;
        }
        auto respond = [this, query, from] { respondUdp(query, from); };
        if (m.delay.count() > 0) pending.push_back(reactor.callLater(m.delay, respond));
        else respond();
    }

    void respondUdp(const Message& query, const Address& from) {
        auto& m = owner.mischief;
        const bool edns = query.ednsPayloadSize().has_value();
        if (m.rawUdp) return send(withId(*m.rawUdp, query.header.id), from);
        Message reply = owner.answer(query);
        for (const auto& rr : m.extraAnswers) reply.answers.push_back(rr);
        if (m.formerrOnEdns && edns) {
            reply.answers.clear();
            reply.authority.clear();
            reply.questions.clear();
            reply.header.rcode = Rcode::FormErr;
        }
        if (m.truncateUdp && !reply.answers.empty()) {
            reply.answers.clear();
            reply.authority.clear();
            reply.header.truncated = true;
        }
        auto bytes = encodeMessage(reply);
        if (m.wrongIdFirst > 0) {
            --m.wrongIdFirst;
            send(withId(bytes, static_cast<std::uint16_t>(query.header.id + 1)), from);
        }
        if (m.wrongQuestionFirst > 0) {
            --m.wrongQuestionFirst;
            Message other = reply;
            other.questions[0].name = "other." + other.questions[0].name;
            send(encodeMessage(other), from);
        }
        // Forged: right id and question, another address. Taken, it would change the result.
        auto forged = [&] {
            Message copy = reply;
            for (auto& rr : copy.answers)
                if (rr.type == RecordType::A) rr.data = *IPAddress::parse("192.0.2.66");
            return encodeMessage(copy);
        };
        if (m.fromWrongPort > 0) {
            --m.fromWrongPort;
            (void)otherUdp->write(forged(), from);
        }
        if (m.fromWrongAddress > 0) {
            --m.fromWrongAddress;
            (void)otherAddressUdp->write(forged(), from);
        }
        send(bytes, from);
        if (m.twice) send(bytes, from);
    }
};

namespace {

class TcpSide final : public Int16StringReceiver {
public:
    explicit TcpSide(FakeNameserver& owner) : Int16StringReceiver(65535), owner_(owner) {}
    void stringReceived(std::string_view bytes) override {
        Message query;
        try {
            query = decodeMessage(std::as_bytes(std::span(bytes.data(), bytes.size())));
        } catch (const MalformedMessage&) {
            return transport()->loseConnection();
        }
        owner_.queries.push_back({query, transport()->getPeer(), true});
        auto reply = encodeMessage(owner_.answer(query));
        sendString(std::string_view(reinterpret_cast<const char*>(reply.data()), reply.size()));
    }

private:
    FakeNameserver& owner_;
};

}  // namespace

FakeNameserver::FakeNameserver(Reactor& reactor) : impl_(std::make_unique<Impl>(*this, reactor)) {
    impl_->tcpFactory = Factory([this](const Address&) { return std::make_unique<TcpSide>(*this); });
    // The TCP port must be the UDP one: try a few kernel-chosen UDP ports until TCP gets it too.
    for (int i = 0; i < 20 && !impl_->tcp; ++i) {
        impl_->udp = reactor.listenUDP(0, *impl_, "127.0.0.1");
        try {
            impl_->tcp = reactor.listenTCP(impl_->udp->getHost().port(), impl_->tcpFactory, 64, "127.0.0.1");
        } catch (const std::exception&) {
            impl_->udp.reset();
        }
    }
    REQUIRE_MESSAGE(impl_->tcp, "the fake nameserver found no port free for both UDP and TCP");
    impl_->otherUdp = reactor.listenUDP(0, impl_->nullDatagrams, "127.0.0.1");
    impl_->otherAddressUdp = reactor.listenUDP(impl_->udp->getHost().port(), impl_->nullDatagrams, "127.0.0.2");
}

FakeNameserver::~FakeNameserver() {
    for (auto& call : impl_->pending)
        if (call.active()) call.cancel();
}

Address FakeNameserver::address() const { return impl_->udp->getHost(); }

std::size_t FakeNameserver::count(bool tcp) const {
    std::size_t n = 0;
    for (const auto& q : queries) n += q.tcp == tcp;
    return n;
}

void FakeNameserver::add(std::string name, RecordType type, RData data, std::uint32_t ttl) {
    zone_.push_back(ResourceRecord{std::move(name), type, kClassIN, ttl, std::move(data)});
}

void FakeNameserver::addA(const std::string& name, const std::string& ip, std::uint32_t ttl) {
    auto address = IPAddress::parse(ip);
    REQUIRE(address);
    add(name, address->isV4() ? RecordType::A : RecordType::AAAA, *address, ttl);
}

void FakeNameserver::addCname(const std::string& name, const std::string& target, std::uint32_t ttl) {
    add(name, RecordType::CNAME, NameData{target}, ttl);
}

Message FakeNameserver::answer(const Message& query) const {
    Message reply;
    reply.header = query.header;
    reply.header.response = true;
    reply.header.recursionAvailable = true;
    reply.questions = query.questions;
    if (auto size = query.ednsPayloadSize()) {
        reply.additional.push_back(ResourceRecord{"", RecordType::OPT, *size, 0, RawData{}});
    }
    if (mischief.rcode) {
        reply.header.rcode = *mischief.rcode;
        return reply;
    }
    if (query.questions.size() != 1) {
        reply.header.rcode = Rcode::FormErr;
        return reply;
    }
    std::string name = query.questions[0].name;
    const RecordType type = query.questions[0].type;
    for (int hops = 0; hops < 20; ++hops) {
        bool exists = false;
        const ResourceRecord* cname = nullptr;
        for (const auto& rr : zone_) {
            if (!namesEqual(rr.name, name)) continue;
            exists = true;
            if (rr.type == type) reply.answers.push_back(rr);
            else if (rr.type == RecordType::CNAME) cname = &rr;
        }
        if (!reply.answers.empty() && reply.answers.back().type == type) return reply;
        if (cname && type != RecordType::CNAME) {
            reply.answers.push_back(*cname);
            if (!followCnames) return reply;
            name = std::get<NameData>(cname->data).name;
            continue;
        }
        if (!exists) reply.header.rcode = Rcode::NXDomain;
        if (soaMinimum) {
            reply.authority.push_back(ResourceRecord{"test", RecordType::SOA, kClassIN, 3600,
                                                     SoaData{"ns.test", "admin.test", 1, 3600, 600, 86400, *soaMinimum}});
        }
        return reply;
    }
    return reply;
}

}  // namespace weft::testing
