// SPDX-License-Identifier: MIT
// bench/dns.cpp: weft-dns, the DNS resolver benchmark (CONTRACT.md, "DNS resolver"):
//   weft-dns --nameserver 127.0.0.1:PORT --names FILE --concurrency C
//   -> resolved=N failed=F seconds=S
// Each name is fully qualified (no search list, no hosts file): an A lookup following CNAMEs,
// at most C in flight, through weft::dns::Resolver on one reactor thread.
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "bench/bench_args.h"
#include "dns/resolver.h"

int main(int argc, char** argv) {
    using namespace weft;
    std::string server = bench::flag(argc, argv, "--nameserver", "");
    std::string namesFile = bench::flag(argc, argv, "--names", "");
    long concurrency = bench::numberFlag(argc, argv, "--concurrency", 100);
    auto colon = server.rfind(':');
    std::optional<Address> address;
    if (colon != std::string::npos) {
        address = Address::parse(server.substr(0, colon), static_cast<std::uint16_t>(std::stoi(server.substr(colon + 1))));
    }
    if (!address || namesFile.empty() || concurrency < 1) {
        std::fprintf(stderr, "usage: %s --nameserver IP:PORT --names FILE --concurrency C\n", argv[0]);
        return 2;
    }
    std::vector<std::string> names;
    std::ifstream in(namesFile);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) names.push_back(line);

    Reactor reactor;
    dns::Resolver::Options options;
    options.resolvConfPath = "/nonexistent";  // the contract's defaults: 5 s tries, 2 attempts
    options.hostsPath = "";
    options.useSearch = false;
    options.nameservers = std::vector<Address>{*address};
    dns::Resolver resolver(reactor, options);

    struct Counts {
        std::size_t resolved = 0, failed = 0;
    } counts;
    bench::InFlight work(names.size(), static_cast<std::size_t>(concurrency), [&](std::size_t i, bench::InFlight::Done done) {
        (void)resolver.lookup(std::move(names[i]), dns::RecordType::A)  // each name is asked once
            .addBoth([counts = &counts, done](Result<std::vector<dns::ResourceRecord>> r) {
                (r.succeeded() && !r.valueUnchecked().empty() ? counts->resolved : counts->failed)++;
                done();
            });
    }, [&] { reactor.stop(); });
    auto start = std::chrono::steady_clock::now();
    double cpuStart = bench::cpuSeconds();
    if (names.empty()) {
        std::printf("resolved=0 failed=0 seconds=0.000000\n");
        return 0;
    }
    reactor.callWhenRunning([&] { work.pump(); });
    reactor.run();
    double seconds = bench::secondsSince(start);
    std::printf("resolved=%zu failed=%zu seconds=%.6f cpu_seconds=%.6f\n", counts.resolved, counts.failed, seconds,
                bench::cpuSeconds() - cpuStart);
    return 0;
}
