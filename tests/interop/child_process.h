// SPDX-License-Identifier: MIT
// Child processes for interop tests: spawning a program (no shell), a server's start-up and stop, a child with its stdout on a pipe, free loopback ports.
#pragma once

// Plain POSIX on purpose: the harnesses check weft, so they must not lean on weft.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace weft::testing {

// posix_spawn_file_actions_t, destroyed with the object; the calls chain.
class SpawnActions {
public:
    SpawnActions() { posix_spawn_file_actions_init(&actions_); }
    ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
    SpawnActions(const SpawnActions&) = delete;
    SpawnActions& operator=(const SpawnActions&) = delete;
    SpawnActions& dup2(int fd, int to) {
        posix_spawn_file_actions_adddup2(&actions_, fd, to);
        return *this;
    }
    SpawnActions& open(int to, const char* path, int flags, mode_t mode = 0644) {
        posix_spawn_file_actions_addopen(&actions_, to, path, flags, mode);
        return *this;
    }
    const posix_spawn_file_actions_t* get() const { return &actions_; }

private:
    posix_spawn_file_actions_t actions_;
};

// Starts args[0] (a path: no shell, no PATH search) with `actions` on its descriptors, an empty
// signal mask and every signal's action at its default: a test may run while a reactor blocks
// signals for its signalfd, and a child inheriting that mask would wait forever for the
// SIGTERM that stops it. Returns 0 and sets `pid`, or posix_spawn's error number.
inline int spawnProgram(pid_t& pid, std::vector<std::string> args, const SpawnActions& actions) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int rc = posix_spawn(&pid, argv[0], actions.get(), &attributes, argv.data(), environ);
    posix_spawnattr_destroy(&attributes);
    if (rc != 0) pid = -1;
    return rc;
}

// A server's process: stdin and stdout on /dev/null, stderr appended to `stderrPath`. Throws
// when it cannot be started.
inline pid_t spawnServer(std::vector<std::string> args, const std::string& stderrPath) {
    SpawnActions actions;
    actions.open(0, "/dev/null", O_RDONLY).open(1, "/dev/null", O_WRONLY);
    actions.open(2, stderrPath.c_str(), O_WRONLY | O_CREAT | O_APPEND);
    pid_t pid = -1;
    if (int rc = spawnProgram(pid, args, actions); rc != 0)
        throw std::runtime_error("cannot run " + args[0] + ": " + std::strerror(rc));
    return pid;
}

// Stops `pid` (nothing when it is not positive): SIGTERM, then SIGKILL if it has not exited
// after `grace`; reaps it and sets `pid` to -1.
inline void stopProcess(pid_t& pid, std::chrono::milliseconds grace = std::chrono::seconds(3)) {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
        if (::waitpid(pid, nullptr, WNOHANG) == pid) {
            pid = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    pid = -1;
}

enum class Startup { Serving, Exited, Silent };

// Waits up to `limit` for a server just spawned: Serving once `answers()` is true, Exited (and
// `pid` reaped and set to -1) if it exits first, most likely because its port was taken, Silent
// when neither happened in time (the caller stops it).
template <class Answers>
Startup awaitServing(pid_t& pid, std::chrono::milliseconds limit, Answers answers) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (::waitpid(pid, nullptr, WNOHANG) == pid) {
            pid = -1;
            return Startup::Exited;
        }
        if (answers()) return Startup::Serving;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return Startup::Silent;
}

// A child with its stdout on a pipe (stdin and stderr inherited); killed (SIGKILL) and reaped
// with the object if still running.
struct ChildProcess {
    pid_t pid = -1;
    int out = -1;  // the read end of the child's stdout

    ChildProcess() = default;
    ChildProcess(ChildProcess&& other) noexcept
        : pid(std::exchange(other.pid, -1)), out(std::exchange(other.out, -1)) {}
    ChildProcess& operator=(ChildProcess&&) = delete;
    ~ChildProcess() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
        if (out >= 0) ::close(out);
    }

    // Throws when it cannot be started.
    static ChildProcess spawn(std::vector<std::string> args) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
        SpawnActions actions;
        actions.dup2(fds[1], 1);
        ChildProcess child;
        int rc = spawnProgram(child.pid, args, actions);
        ::close(fds[1]);
        child.out = fds[0];
        if (rc != 0) throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(rc));
        return child;
    }
    // Its output up to the next newline (not included), or to its end.
    std::string readLine() const {
        std::string line;
        char c;
        while (::read(out, &c, 1) == 1 && c != '\n') line += c;
        return line;
    }
    // Its output to its end.
    std::string readAll() const {
        std::string text;
        char buffer[4096];
        ssize_t n;
        while ((n = ::read(out, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
        return text;
    }
    // Reaps it: its exit code, or 128 + the signal that ended it.
    int wait() {
        int status = 0;
        ::waitpid(pid, &status, 0);
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    // SIGTERM, then SIGKILL after `grace`; reaped.
    void stop(std::chrono::milliseconds grace = std::chrono::seconds(3)) { stopProcess(pid, grace); }
};

// Closes a socket on every path out of a scope.
struct Socket {
    int fd;
    explicit Socket(int f) : fd(f) {}
    ~Socket() {
        if (fd >= 0) ::close(fd);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
};

inline sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

inline bool bindLoopback(int fd, std::uint16_t port) {
    sockaddr_in address = loopback(port);
    return ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
}

// A port free on 127.0.0.1 right now for TCP, and for UDP too when `udpToo`. It can still be
// taken before the server binds it; the caller then tries another.
inline std::uint16_t freeLoopbackPort(bool udpToo = false) {
    for (int attempt = 0; attempt < 50; ++attempt) {
        Socket first(::socket(AF_INET, (udpToo ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0));
        if (first.fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
        if (!bindLoopback(first.fd, 0)) throw std::runtime_error(std::string("bind: ") + std::strerror(errno));
        sockaddr_in bound{};
        socklen_t length = sizeof bound;
        ::getsockname(first.fd, reinterpret_cast<sockaddr*>(&bound), &length);
        std::uint16_t port = ntohs(bound.sin_port);
        if (!udpToo) return port;
        Socket tcp(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (tcp.fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
        if (bindLoopback(tcp.fd, port)) return port;
    }
    throw std::runtime_error("no port free for both UDP and TCP on 127.0.0.1");
}

// A new mode-0700 directory $TMPDIR/NAME.XXXXXX (/tmp without TMPDIR); throws if it cannot be made.
inline std::string makeScratchDirectory(const std::string& name) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/" + name + ".XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
    return pattern;
}

// Removes `directory` and all in it; quietly: a leftover scratch directory must not hide a real
// error, and a destructor has nobody to report to (/tmp is cleaned anyway).
inline void removeScratchDirectory(const std::string& directory) {
    std::error_code ignored;
    std::filesystem::remove_all(directory, ignored);
}

// The whole file; empty when it cannot be read.
inline std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace weft::testing
