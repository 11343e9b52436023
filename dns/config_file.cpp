// SPDX-License-Identifier: MIT
// dns/config_file.cpp: the stat and bounded read behind ConfigFile. I/O errors never throw:
// a resolver with an unreadable resolv.conf should fall back to defaults, as glibc's does.
// Tests: tests/dns/config_file_test.cpp
#include "dns/config_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "reactor/fd.h"

namespace weft::dns {
namespace {

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

FileStamp stampFrom(const struct stat& st) noexcept {
    FileStamp stamp;
    stamp.exists = true;
    stamp.device = static_cast<std::uint64_t>(st.st_dev);
    stamp.inode = static_cast<std::uint64_t>(st.st_ino);
    stamp.size = static_cast<std::int64_t>(st.st_size);
    stamp.mtimeSeconds = static_cast<std::int64_t>(st.st_mtim.tv_sec);
    stamp.mtimeNanoseconds = static_cast<std::int64_t>(st.st_mtim.tv_nsec);
    stamp.ctimeSeconds = static_cast<std::int64_t>(st.st_ctim.tv_sec);
    stamp.ctimeNanoseconds = static_cast<std::int64_t>(st.st_ctim.tv_nsec);
    return stamp;
}

}  // namespace

FileStamp stampOf(const std::string& path) noexcept {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {};
    return stampFrom(st);
}

FileSnapshot readSnapshot(const std::string& path, std::size_t maxBytes) {
    FileSnapshot snapshot;
    // O_NONBLOCK so that opening a FIFO put in the file's place cannot hang the reactor.
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd) return snapshot;
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return snapshot;
    snapshot.stamp = stampFrom(st);
    if (!S_ISREG(st.st_mode)) return snapshot;

    // Chunks rather than one buffer of maxBytes: resolv.conf is usually a few hundred bytes.
    std::string text;
    char chunk[4096];
    bool truncated = false;
    for (;;) {
        ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return {};  // no fragment, and no stamp so that the next check tries again
        if (n == 0) break;
        std::size_t room = maxBytes - text.size();
        text.append(chunk, std::min(room, static_cast<std::size_t>(n)));
        if (static_cast<std::size_t>(n) > room) {  // == room: the next read says whether more follows
            truncated = true;
            break;
        }
    }
    // A line cut at the limit could read as another valid line ("nameserver 10.0.0.12" as
    // "...10.0.0.1"), so a cut file ends at its last whole line.
    if (truncated) {
        std::size_t lastNewline = text.rfind('\n');
        text.resize(lastNewline == std::string::npos ? 0 : lastNewline + 1);
    }
    snapshot.text = std::move(text);
    return snapshot;
}

std::vector<std::string_view> configWords(std::string_view line, std::string_view commentStarts) {
    line = line.substr(0, line.find_first_of(commentStarts));
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && isBlank(line[i])) ++i;
        std::size_t start = i;
        while (i < line.size() && !isBlank(line[i])) ++i;
        if (i > start) words.push_back(line.substr(start, i - start));
    }
    return words;
}

}  // namespace weft::dns
