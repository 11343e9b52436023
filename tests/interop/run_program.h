// SPDX-License-Identifier: MIT
// runProgram: runs a program (no shell) to its end, with its stdout and stderr captured and a
// time limit (SIGKILL past it), for interop tests of weft's command-line tools and of peers.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/interop/child_process.h"

namespace weft::testing {

struct ProgramResult {
    int exitCode = -1;  // -1: killed by a signal (or the time limit)
    std::string out;
    std::string err;
    std::chrono::milliseconds took{0};
    bool timedOut = false;
};

inline ProgramResult runProgram(std::vector<std::string> args, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    ProgramResult result;
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return result;
    SpawnActions actions;
    actions.dup2(out[1], 1).dup2(err[1], 2);
    auto start = std::chrono::steady_clock::now();
    pid_t pid = -1;
    int rc = spawnProgram(pid, args, actions);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
        close(out[0]);
        close(err[0]);
        result.err = "cannot start " + args[0];
        return result;
    }
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    int open = 2;
    while (open > 0) {
        auto left = limit - (std::chrono::steady_clock::now() - start);
        if (left <= std::chrono::nanoseconds(0)) {
            result.timedOut = true;
            kill(pid, SIGKILL);
            break;
        }
        if (poll(fds, 2, static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(left).count()) + 1) < 0) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buffer[4096];
            ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0) (i == 0 ? result.out : result.err).append(buffer, static_cast<std::size_t>(n));
            else {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            }
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0) close(f.fd);
    int status = 0;
    waitpid(pid, &status, 0);
    result.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    if (WIFEXITED(status)) result.exitCode = WEXITSTATUS(status);
    return result;
}

}  // namespace weft::testing
