// SPDX-License-Identifier: MIT
// dns/config_file.h: ConfigFile<Parsed>, a file such as /etc/resolv.conf kept parsed and
// re-read only when it has changed, as glibc's resolver reloads resolv.conf and c-ares checks
// it periodically. Tests: tests/dns/config_file_test.cpp
//
//   weft::dns::ConfigFile<weft::dns::ResolvConf> conf("/etc/resolv.conf");
//   const ResolvConf& rc = conf.get(reactor.now());   // a stat(2) at most once a second
//
// "Changed" means stat(2) gives another device, inode, size, mtime or ctime (with nanoseconds):
// the inode catches a file renamed into place, ctime an edit that restored the old mtime. A
// missing or unreadable file reads as empty text, so a ResolvConf falls back to its defaults
// and a HostsFile is empty. Single-threaded, like everything on the reactor.
//
// forEachConfigLine: the words of each line of such a file, as resolv.conf and hosts read.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::dns {

struct FileStamp {
    bool exists = false;
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::int64_t size = 0;
    std::int64_t mtimeSeconds = 0;
    std::int64_t mtimeNanoseconds = 0;
    std::int64_t ctimeSeconds = 0;
    std::int64_t ctimeNanoseconds = 0;
    friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

struct FileSnapshot {
    FileStamp stamp;   // of the very file the text came from
    std::string text;
};

inline constexpr std::size_t kMaxConfigFileBytes = std::size_t{1} << 20;

// stat(2) of path (following symlinks); exists == false when it cannot be stat'ed.
[[nodiscard]] FileStamp stampOf(const std::string& path) noexcept;
// Up to maxBytes of path, cut back to the last whole line when the file is longer, with the
// stamp of the open file. A file that is missing, unreadable or not a regular file (a FIFO
// would block) gives empty text.
[[nodiscard]] FileSnapshot readSnapshot(const std::string& path, std::size_t maxBytes = kMaxConfigFileBytes);

// The words of one line, separated by blanks (space, tab, CR, VT, FF), up to the first of
// `commentStarts` ("#" for hosts(5), "#;" for resolv.conf(5)).
[[nodiscard]] std::vector<std::string_view> configWords(std::string_view line, std::string_view commentStarts);

// Calls visit(words) for each '\n'-separated line of text (the last one with or without its
// '\n'), with the words configWords gives for it, none for a blank or comment line.
template <class Visit>
void forEachConfigLine(std::string_view text, std::string_view commentStarts, Visit visit) {
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        visit(configWords(line, commentStarts));
    }
}

// Parsed needs `static Parsed parse(std::string_view)`. `now` is the caller's clock, as
// Reactor::now() and ManualClock::now() give it.
template <class Parsed>
class ConfigFile {
public:
    explicit ConfigFile(std::string path, std::chrono::nanoseconds checkInterval = std::chrono::seconds(1))
        : path_(std::move(path)), checkInterval_(checkInterval) {}

    // The parsed file, loaded on the first call. The reference stays valid until a later call
    // (of get or reloadIfChanged) re-parses.
    const Parsed& get(std::chrono::nanoseconds now) {
        reloadIfChanged(now);
        return *parsed_;
    }

    // Stats the file if checkInterval has passed since the last stat (always on the first
    // call, every call with an interval of 0) and re-parses if it changed. True if it re-parsed.
    bool reloadIfChanged(std::chrono::nanoseconds now) {
        if (parsed_ && now - lastCheck_ < checkInterval_) return false;
        lastCheck_ = now;
        if (parsed_ && stampOf(path_) == stamp_) return false;
        // The stamp kept is fstat's from before the read: if the file changes during or after
        // the read, the next check sees a newer stamp. At worst one re-read too many, never
        // stale text kept.
        FileSnapshot snapshot = readSnapshot(path_);
        parsed_.emplace(Parsed::parse(snapshot.text));
        stamp_ = snapshot.stamp;
        return true;
    }

    [[nodiscard]] const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
    std::chrono::nanoseconds checkInterval_;
    std::chrono::nanoseconds lastCheck_{0};
    FileStamp stamp_;
    std::optional<Parsed> parsed_;
};

}  // namespace weft::dns
