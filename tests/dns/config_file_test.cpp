// SPDX-License-Identifier: MIT
#include "dns/config_file.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "dns/hosts_file.h"
#include "dns/resolv_conf.h"

using weft::dns::ConfigFile;
using namespace std::chrono_literals;

namespace {

// Records the text it was given, so a test sees exactly what was read.
struct Text {
    std::string text;
    static Text parse(std::string_view text) { return {std::string(text)}; }
};

// A fresh directory under /tmp, removed with everything in it at the end of the test.
class TempDir {
public:
    TempDir() {
        char name[] = "/tmp/weft-config-file-XXXXXX";
        REQUIRE(::mkdtemp(name) != nullptr);
        path_ = name;
    }
    ~TempDir() {
        std::error_code ignored;  // a leftover directory in /tmp is not worth failing a test for
        std::filesystem::remove_all(path_, ignored);
    }
    [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

void write(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    REQUIRE(out.good());
}

// Sets mtime explicitly, so no test depends on the file system's timestamp granularity.
void setMtime(const std::string& path, std::int64_t seconds, long nanoseconds = 0) {
    timespec times[2] = {{static_cast<time_t>(seconds), 0}, {static_cast<time_t>(seconds), nanoseconds}};
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

}  // namespace

TEST_CASE("ConfigFile loads on the first get and re-parses after a change of size") {
    TempDir dir;
    std::string path = dir.file("resolv.conf");
    write(path, "one\n");
    ConfigFile<Text> file(path, 0s);
    CHECK(file.path() == path);
    CHECK(file.get(0s).text == "one\n");
    CHECK_FALSE(file.reloadIfChanged(1s));
    write(path, "two two\n");
    CHECK(file.reloadIfChanged(2s));
    CHECK(file.get(2s).text == "two two\n");
    CHECK_FALSE(file.reloadIfChanged(3s));
}

TEST_CASE("ConfigFile notices a same-size rewrite through mtime, to the nanosecond") {
    TempDir dir;
    std::string path = dir.file("hosts");
    write(path, "aaaa\n");
    setMtime(path, 1'000'000'000, 1);
    if (weft::dns::stampOf(path).mtimeNanoseconds != 1) {
        MESSAGE("skipped: the file system under /tmp keeps no nanoseconds in mtime");
        return;
    }
    ConfigFile<Text> file(path, 0s);
    CHECK(file.get(0s).text == "aaaa\n");

    write(path, "bbbb\n");
    setMtime(path, 1'000'000'000, 2);
    CHECK(weft::dns::stampOf(path).mtimeNanoseconds == 2);
    CHECK(file.reloadIfChanged(0s));
    CHECK(file.get(0s).text == "bbbb\n");
}

TEST_CASE("ConfigFile notices a file renamed into place with the old size and mtime") {
    TempDir dir;
    std::string path = dir.file("resolv.conf");
    std::string next = dir.file("resolv.conf.new");
    write(path, "old\n");
    setMtime(path, 1'000'000'000);
    ConfigFile<Text> file(path, 0s);
    CHECK(file.get(0s).text == "old\n");
    write(next, "new\n");  // created while the old file exists, so its inode differs
    setMtime(next, 1'000'000'000);
    REQUIRE(std::rename(next.c_str(), path.c_str()) == 0);
    CHECK(file.get(0s).text == "new\n");
}

TEST_CASE("ConfigFile checks at most once per interval of the caller's clock") {
    TempDir dir;
    std::string path = dir.file("resolv.conf");
    write(path, "first\n");
    ConfigFile<Text> file(path, 1s);  // the default interval, spelled out
    auto start = 100s;
    CHECK(file.get(start).text == "first\n");

    write(path, "second\n");
    CHECK(file.get(start + 500ms).text == "first\n");  // changed, but not looked at yet
    CHECK_FALSE(file.reloadIfChanged(start + 999ms));
    CHECK(file.reloadIfChanged(start + 1s));
    CHECK(file.get(start + 1s).text == "second\n");

    // The interval runs from the last check, whether or not it found a change.
    CHECK_FALSE(file.reloadIfChanged(start + 2s));         // checked: unchanged
    write(path, "third, longer\n");
    CHECK(file.get(start + 2s + 999ms).text == "second\n");
    CHECK(file.get(start + 3s).text == "third, longer\n");
}

TEST_CASE("ConfigFile: a missing file reads as empty, and is loaded once it appears") {
    TempDir dir;
    std::string path = dir.file("absent.conf");
    ConfigFile<Text> file(path, 0s);
    CHECK(file.get(0s).text.empty());
    CHECK_FALSE(file.reloadIfChanged(1s));  // still missing: nothing to re-parse
    write(path, "now here\n");
    CHECK(file.get(2s).text == "now here\n");
}

TEST_CASE("ConfigFile: a file deleted after loading reads as empty") {
    TempDir dir;
    std::string path = dir.file("resolv.conf");
    write(path, "nameserver 192.0.2.1\n");
    ConfigFile<weft::dns::ResolvConf> conf(path, 0s);
    REQUIRE(conf.get(0s).nameservers.size() == 1);
    CHECK(conf.get(0s).nameservers[0].toString() == "192.0.2.1:53");
    REQUIRE(std::remove(path.c_str()) == 0);
    CHECK(conf.reloadIfChanged(1s));
    CHECK(conf.get(1s).nameservers[0].toString() == "127.0.0.1:53");  // glibc's default
}

TEST_CASE("ConfigFile works for the hosts file, and a missing one knows no names") {
    TempDir dir;
    std::string path = dir.file("hosts");
    ConfigFile<weft::dns::HostsFile> hosts(path);
    CHECK_FALSE(hosts.get(0s).contains("localhost"));
    write(path, "127.0.0.1 localhost\n");
    CHECK_FALSE(hosts.get(500ms).contains("localhost"));  // default interval: one second
    CHECK(hosts.get(1s).contains("localhost"));
}

TEST_CASE("ConfigFile treats a directory or unreadable path as empty text") {
    TempDir dir;
    std::string path = dir.file("sub");
    REQUIRE(::mkdir(path.c_str(), 0700) == 0);
    ConfigFile<Text> file(path, 0s);
    CHECK(file.get(0s).text.empty());
}

TEST_CASE("readSnapshot stops at the limit and drops the line it cut") {
    TempDir dir;
    std::string path = dir.file("big");
    write(path, "nameserver 10.0.0.1\nnameserver 10.0.0.12\n");
    CHECK(weft::dns::readSnapshot(path, 30).text == "nameserver 10.0.0.1\n");
    CHECK(weft::dns::readSnapshot(path, 41).text == "nameserver 10.0.0.1\nnameserver 10.0.0.12\n");  // exactly all
    CHECK(weft::dns::readSnapshot(path, 5).text.empty());

    write(path, "no newline at all");
    CHECK(weft::dns::readSnapshot(path, 17).text == "no newline at all");  // exactly all
    CHECK(weft::dns::readSnapshot(path, 16).text.empty());

    // The default limit is 1 MiB: a larger file is read up to it, in whole lines.
    std::string line(1023, 'x');
    line += '\n';
    std::string text;
    for (int i = 0; i < 1100; ++i) text += line;
    write(path, text);
    auto snapshot = weft::dns::readSnapshot(path);
    CHECK(snapshot.text.size() == weft::dns::kMaxConfigFileBytes);
    CHECK(snapshot.stamp.exists);
    CHECK(snapshot.stamp.size == static_cast<std::int64_t>(text.size()));
}

TEST_CASE("stampOf says a missing file does not exist") {
    CHECK_FALSE(weft::dns::stampOf("/nonexistent/weft/config").exists);
    CHECK(weft::dns::readSnapshot("/nonexistent/weft/config").text.empty());
}
