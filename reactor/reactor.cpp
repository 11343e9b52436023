// SPDX-License-Identifier: MIT
#include "reactor/reactor.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/eventfd.h>
#endif

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace weft {
namespace {

std::unique_ptr<Backend> chooseBackend(const std::string& requested) {
    std::string name = requested;
    if (name.empty()) {
        if (const char* env = std::getenv("WEFT_REACTOR")) name = env;
    }
    std::error_code error;
    auto backend = makeBackend(name, error);
    if (!backend) throw ReactorError(error, "no reactor backend '" + name + "'");
    return backend;
}

void ignoreSigpipe() {
    static const bool done = [] {
        ::signal(SIGPIPE, SIG_IGN);  // a write to a closed socket returns EPIPE instead
        return true;
    }();
    (void)done;
}

// Two fds (the same one for an eventfd): write end for any thread, read end watched by the loop.
struct WakePipe {
    Fd read;
    Fd write;
};

WakePipe makeWakePipe() {
#if defined(__linux__)
    Fd fd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!fd) throw ReactorError(lastError(), "eventfd");
    int same = fd.get();
    return {std::move(fd), Fd(dup(same))};
#else
    int fds[2];
    if (pipe(fds) < 0) throw ReactorError(lastError(), "pipe");
    for (int fd : fds) {
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    return {Fd(fds[0]), Fd(fds[1])};
#endif
}

void drain(int fd) {
    char buffer[64];
    while (::read(fd, buffer, sizeof buffer) > 0) {
    }
}

// Where the async-signal-safe handler writes the signal number; one reactor at a time owns it.
std::atomic<int> signalWriteFd{-1};

extern "C" void onSignal(int signo) {
    int saved = errno;
    unsigned char byte = static_cast<unsigned char>(signo);
    int fd = signalWriteFd.load();
    if (fd >= 0) (void)!::write(fd, &byte, 1);  // a full pipe already holds a wake-up
    errno = saved;
}

}  // namespace

class Reactor::Waker final : public FdHandler {
public:
    explicit Waker(Reactor& reactor) : reactor_(reactor), pipe_(makeWakePipe()) {
        if (auto ec = reactor_.watch(pipe_.read.get(), Interest::Read, *this)) throw ReactorError(ec, "watch waker");
    }
    ~Waker() { reactor_.unwatch(pipe_.read.get()); }
    void wake() noexcept {
        std::uint64_t one = 1;  // an eventfd takes 8 bytes; a pipe takes them too
        (void)!::write(pipe_.write.get(), &one, sizeof one);  // EAGAIN: a wake-up is pending already
    }
    void readReady() override {
        drain(pipe_.read.get());
        reactor_.runThreadCalls();
    }
    void writeReady() override {}

private:
    Reactor& reactor_;
    WakePipe pipe_;
};

class Reactor::SignalPipe final : public FdHandler {
public:
    explicit SignalPipe(Reactor& reactor) : reactor_(reactor) {
        int fds[2];
        if (pipe(fds) < 0) throw ReactorError(lastError(), "pipe");
        read_.reset(fds[0]);
        write_.reset(fds[1]);
        for (int fd : fds) {
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
            fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        if (auto ec = reactor_.watch(read_.get(), Interest::Read, *this)) throw ReactorError(ec, "watch signals");
        signalWriteFd.store(write_.get());
    }
    ~SignalPipe() {
        for (auto& [signo, entry] : handlers_) ::sigaction(signo, &entry.previous, nullptr);
        int mine = write_.get();
        signalWriteFd.compare_exchange_strong(mine, -1);
        reactor_.unwatch(read_.get());
    }
    void add(int signo, std::function<void()> handler) {
        auto [it, fresh] = handlers_.try_emplace(signo);
        if (fresh) {
            struct sigaction action {};
            action.sa_handler = onSignal;
            sigemptyset(&action.sa_mask);
            action.sa_flags = SA_RESTART;
            if (::sigaction(signo, &action, &it->second.previous) < 0) {
                handlers_.erase(it);
                throw ReactorError(lastError(), "sigaction " + std::to_string(signo));
            }
        }
        it->second.handlers.push_back(std::move(handler));
        signalWriteFd.store(write_.get());
    }
    void readReady() override {
        unsigned char signos[64];
        ssize_t n;
        while ((n = ::read(read_.get(), signos, sizeof signos)) > 0) {
            for (ssize_t i = 0; i < n; ++i) {
                auto it = handlers_.find(signos[i]);
                if (it == handlers_.end()) continue;
                auto handlers = it->second.handlers;  // a handler may add handlers
                for (auto& handler : handlers) reactor_.guardedCall(handler);
            }
        }
    }
    void writeReady() override {}

private:
    struct Entry {
        struct sigaction previous {};
        std::vector<std::function<void()>> handlers;
    };
    Reactor& reactor_;
    Fd read_;
    Fd write_;
    std::map<int, Entry> handlers_;
};

Reactor::Reactor(Options options) : Reactor(chooseBackend(options.backend)) {}

Reactor::Reactor(std::unique_ptr<Backend> backend)
    : backend_(std::move(backend)), timers_([this] { return now(); }) {
    if (!backend_) throw ReactorError(std::make_error_code(std::errc::invalid_argument), "Reactor without a backend");
    ignoreSigpipe();
    waker_ = std::make_unique<Waker>(*this);
}

Reactor::~Reactor() {
    while (owned_) {  // open connections end with ConnectionError::Stopped
        Owned* first = owned_;
        first->abandon(ConnectionError::Stopped);
        if (owned_ == first) dispose(*first);  // abandon() normally disposes of itself
    }
    disposed_.clear();
    signals_.reset();
    waker_.reset();
}

void Reactor::adopt(std::unique_ptr<Owned> owned) noexcept {
    Owned* o = owned.release();  // the list holds it until dispose()
    o->prev_ = nullptr;
    o->next_ = owned_;
    if (owned_) owned_->prev_ = o;
    owned_ = o;
    ++ownedCount_;
}

void Reactor::dispose(Owned& o) noexcept {
    if (o.prev_) o.prev_->next_ = o.next_;
    else owned_ = o.next_;
    if (o.next_) o.next_->prev_ = o.prev_;
    o.prev_ = o.next_ = nullptr;
    --ownedCount_;
    try {
        disposed_.emplace_back(&o);
    } catch (...) {  // out of memory for the list: free it now rather than leak it
        std::unique_ptr<Owned> now(&o);
    }
}

std::chrono::nanoseconds Reactor::now() const {
    return std::chrono::steady_clock::now().time_since_epoch();
}

void Reactor::logError(std::string_view message) const {
    if (logger_) logger_(message);
    else std::fprintf(stderr, "weft reactor: %.*s\n", static_cast<int>(message.size()), message.data());
}

void Reactor::run() {
    if (running_) throw ReactorError(ConnectionError::AlreadyRunning, "Reactor::run");
    running_ = true;
    stopping_ = false;
    std::vector<std::function<void()>> startup = std::move(startup_);
    startup_.clear();
    for (auto& fn : startup) guardedCall(fn);
    while (!stopping_) iterate(std::nullopt);
    std::vector<std::function<void()>> shutdown = std::move(shutdown_);
    shutdown_.clear();
    for (auto& fn : shutdown) guardedCall(fn);
    running_ = false;
    stopping_ = false;
}

void Reactor::stop() {
    stopping_ = true;
}

void Reactor::iterate(std::optional<std::chrono::nanoseconds> timeout) {
    if (auto next = timers_.nextDeadline()) {  // never sleep past the next due call
        auto untilDue = std::max(*next - now(), std::chrono::nanoseconds(0));
        if (!timeout || untilDue < *timeout) timeout = untilDue;
    }
    ready_.clear();
    if (std::error_code ec = backend_->wait(stopping_ ? std::optional(std::chrono::nanoseconds(0)) : timeout, ready_)) {
        logError(std::string(backend_->name()) + " wait failed: " + ec.message());
    }
    std::vector<Readiness> ready;
    ready.swap(ready_);  // a handler may iterate() again (nested), which reuses ready_
    for (const Readiness& r : ready) dispatch(r);
    if (ready_.capacity() < ready.capacity()) ready_.swap(ready);
    disposed_.clear();
    std::uint64_t mark = timers_.sequenceMark();
    std::chrono::nanoseconds due = now();
    for (;;) {
        try {
            timers_.runDue(due, mark);
            break;
        } catch (const std::exception& e) {
            logError(std::string("a timed call threw: ") + e.what());
        } catch (...) {  // as in guardedCall(): log, then run the other due calls
            logError("a timed call threw a non-std exception");
        }
    }
    disposed_.clear();
}

void Reactor::dispatch(const Readiness& r) {
    auto slot = [&]() -> Watch* {
        if (r.fd < 0 || static_cast<std::size_t>(r.fd) >= watches_.size()) return nullptr;
        return &watches_[static_cast<std::size_t>(r.fd)];
    };
    // Each lookup is fresh: the first handler may have unwatched the fd or closed another.
    if (Watch* w = slot(); r.readable && w && w->handler && wants(w->interest, Interest::Read)) {
        FdHandler* handler = w->handler;
        guardedCall([&] { handler->readReady(); });
    }
    if (Watch* w = slot(); r.writable && w && w->handler && wants(w->interest, Interest::Write)) {
        FdHandler* handler = w->handler;
        guardedCall([&] { handler->writeReady(); });
    }
}

void Reactor::callWhenRunning(std::function<void()> fn) {
    if (running_) guardedCall(fn);
    else startup_.push_back(std::move(fn));
}

void Reactor::addShutdownTrigger(std::function<void()> fn) { shutdown_.push_back(std::move(fn)); }

DelayedCall Reactor::callLater(std::chrono::nanoseconds delay, std::function<void()> fn) {
    return timers_.schedule(delay, std::move(fn));
}

void Reactor::callFromThread(std::function<void()> fn) {
    bool wasEmpty;
    {
        std::lock_guard<std::mutex> lock(threadCallsMutex_);
        wasEmpty = threadCalls_.empty();
        threadCalls_.push_back(std::move(fn));
    }
    if (wasEmpty) waker_->wake();
}

void Reactor::runThreadCalls() {
    std::vector<std::function<void()>> calls;
    {
        std::lock_guard<std::mutex> lock(threadCallsMutex_);
        calls.swap(threadCalls_);
    }
    for (auto& fn : calls) guardedCall(fn);
}

void Reactor::addSignalHandler(int signo, std::function<void()> handler) {
    if (!signals_) signals_ = std::make_unique<SignalPipe>(*this);
    signals_->add(signo, std::move(handler));
}

std::error_code Reactor::watch(int fd, Interest interest, FdHandler& handler) {
    if (fd < 0) return std::make_error_code(std::errc::bad_file_descriptor);
    if (std::error_code ec = backend_->watch(fd, interest)) return ec;
    if (static_cast<std::size_t>(fd) >= watches_.size()) watches_.resize(static_cast<std::size_t>(fd) + 1);
    watches_[static_cast<std::size_t>(fd)] = interest == Interest::None ? Watch{} : Watch{&handler, interest};
    return {};
}

void Reactor::unwatch(int fd) noexcept {
    if (fd < 0) return;
    (void)backend_->watch(fd, Interest::None);  // removal cannot fail in a way the caller could act on
    if (static_cast<std::size_t>(fd) < watches_.size()) watches_[static_cast<std::size_t>(fd)] = Watch{};
}

void Reactor::unwatchClosing(int fd) noexcept {
    if (fd < 0) return;
    backend_->forgetClosing(fd);
    if (static_cast<std::size_t>(fd) < watches_.size()) watches_[static_cast<std::size_t>(fd)] = Watch{};
}

}  // namespace weft
