#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# dns/fuzz/make_corpus.py: writes the seed corpus of fuzz_message.cpp into corpus/message/,
# real-looking responses built byte by byte (with compression, as servers send them), so the
# fuzzer starts from every record type and from the shapes that go wrong. Run it once after
# changing it; the .bin files are what the tree keeps.
import os
import struct


class Msg:
    """A DNS message under construction; names are compressed against earlier ones."""

    def __init__(self, id, flags, counts):
        self.b = bytearray(struct.pack(">HHHHHH", id, flags, *counts))
        self.names = {}

    def name(self, name, compress=True):
        """name: "a.b.c", or a list of labels as bytes (which may hold dots and any byte)."""
        labels = [l.encode() for l in name.split(".") if l] if isinstance(name, str) else name
        for i in range(len(labels)):
            suffix = tuple(labels[i:])
            if compress and suffix in self.names:
                self.b += struct.pack(">H", 0xC000 | self.names[suffix])
                return self
            if len(self.b) < 0x4000:
                self.names.setdefault(suffix, len(self.b))
            self.b += bytes([len(labels[i])]) + labels[i]
        self.b.append(0)
        return self

    def question(self, name, type, klass=1):
        self.name(name)
        self.b += struct.pack(">HH", type, klass)
        return self

    def rr(self, name, type, ttl, rdata, klass=1):
        """rdata: bytes, or a function writing into self (its length is filled in after)."""
        self.name(name)
        self.b += struct.pack(">HHIH", type, klass, ttl, 0)
        at = len(self.b)
        if callable(rdata):
            rdata(self)
        else:
            self.b += rdata
        struct.pack_into(">H", self.b, at - 2, len(self.b) - at)
        return self

    def opt(self, payload, options=b"", do=False):
        self.b += b"\x00" + struct.pack(">HHIH", 41, payload, 0x8000 if do else 0, len(options)) + options
        return self


A, NS, CNAME, SOA, PTR, MX, TXT, AAAA, SRV = 1, 2, 5, 6, 12, 15, 16, 28, 33
RESPONSE = 0x8180  # QR, RD, RA


def ipv4(text):
    return bytes(int(x) for x in text.split("."))


def seeds():
    yield "a", (Msg(0x1001, RESPONSE, (1, 2, 0, 0)).question("www.example.com", A)
                .rr("www.example.com", A, 300, ipv4("93.184.216.34"))
                .rr("www.example.com", A, 300, ipv4("93.184.216.35")))
    yield "aaaa", (Msg(0x1002, RESPONSE, (1, 1, 0, 1)).question("ipv6.example.com", AAAA)
                   .rr("ipv6.example.com", AAAA, 3600, bytes.fromhex("20010db8000000000000000000000001"))
                   .opt(1232))
    yield "cname_chain", (Msg(0x1003, RESPONSE, (1, 3, 0, 0)).question("a.example.org", A)
                          .rr("a.example.org", CNAME, 60, lambda m: m.name("b.example.org"))
                          .rr("b.example.org", CNAME, 60, lambda m: m.name("c.cdn.example.net"))
                          .rr("c.cdn.example.net", A, 20, ipv4("192.0.2.10")))

    def soa(m):
        m.name("ns1.example.com").name("hostmaster.example.com")
        m.b += struct.pack(">IIIII", 2024010101, 7200, 900, 1209600, 300)
    yield "nxdomain_soa", (Msg(0x1004, 0x8183, (1, 0, 1, 0)).question("missing.example.com", A)
                           .rr("example.com", SOA, 300, soa))

    def mx(pref, host):
        return lambda m: (m.b.extend(struct.pack(">H", pref)), m.name(host))
    yield "mx", (Msg(0x1005, RESPONSE, (1, 2, 0, 1)).question("example.com", MX)
                 .rr("example.com", MX, 3600, mx(10, "mail.example.com"))
                 .rr("example.com", MX, 3600, mx(20, "backup.mail.example.net"))
                 .rr("mail.example.com", A, 3600, ipv4("192.0.2.25")))
    txt = b"".join(bytes([len(s)]) + s for s in [b"v=spf1 include:_spf.example.com -all", b"", b"key=\x00\xff"])
    yield "txt", (Msg(0x1006, RESPONSE, (1, 1, 0, 0)).question("example.com", TXT).rr("example.com", TXT, 300, txt))

    def srv(prio, weight, port, target):
        return lambda m: (m.b.extend(struct.pack(">HHH", prio, weight, port)), m.name(target, compress=False))
    yield "srv", (Msg(0x1007, RESPONSE, (1, 2, 0, 1)).question("_sip._udp.example.com", SRV)
                  .rr("_sip._udp.example.com", SRV, 600, srv(10, 60, 5060, "sip1.example.com"))
                  .rr("_sip._udp.example.com", SRV, 600, srv(10, 40, 5060, "sip2.example.com"))
                  .rr("sip1.example.com", A, 600, ipv4("192.0.2.61")))
    yield "query_opt", Msg(0x1008, 0x0100, (1, 0, 0, 1)).question("example.com", AAAA).opt(1232)
    cookie = struct.pack(">HH", 10, 24) + bytes(range(24))
    yield "opt_cookie_do", (Msg(0x1009, RESPONSE | 0x0020, (1, 1, 0, 1)).question("example.com", A)
                            .rr("example.com", A, 60, ipv4("192.0.2.1")).opt(4096, cookie, do=True))
    yield "ptr", (Msg(0x100A, RESPONSE, (1, 1, 0, 0)).question("1.2.0.192.in-addr.arpa", PTR)
                  .rr("1.2.0.192.in-addr.arpa", PTR, 86400, lambda m: m.name("host.example.com")))
    yield "referral", (Msg(0x100B, 0x8000, (1, 0, 2, 2)).question("www.example.com", A)
                       .rr("example.com", NS, 172800, lambda m: m.name("a.iana-servers.net"))
                       .rr("example.com", NS, 172800, lambda m: m.name("b.iana-servers.net"))
                       .rr("a.iana-servers.net", A, 172800, ipv4("199.43.135.53"))
                       .rr("a.iana-servers.net", AAAA, 172800, bytes.fromhex("20010500008f00000000000000000053")))
    odd = [b"odd.la bel", b"\x00\xff\\", b"example"]
    yield "escapes_unknown_type", (Msg(0x100C, RESPONSE, (1, 1, 0, 0)).question(odd, 65)
                                   .rr(odd, 65, 0, b"\x00\x01\xc0\x0c"))
    yield "truncated_flag", Msg(0x100D, RESPONSE | 0x0200, (1, 0, 0, 0)).question("big.example.com", TXT)
    full = (Msg(0x100E, RESPONSE, (1, 2, 0, 0)).question("cut.example.com", A)
            .rr("cut.example.com", A, 300, ipv4("192.0.2.1")).rr("cut.example.com", A, 300, ipv4("192.0.2.2")))
    full.b = full.b[:-3]
    yield "truncated_mid_record", full


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "message")
    os.makedirs(out, exist_ok=True)
    for name, msg in seeds():
        with open(os.path.join(out, name + ".bin"), "wb") as f:
            f.write(bytes(msg.b))


if __name__ == "__main__":
    main()
