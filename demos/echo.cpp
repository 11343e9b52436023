// SPDX-License-Identifier: MIT
// demos/echo: two servers on weft's reactor, each a page of code.
//   echo  PORT   every byte comes back (a Protocol)
//   chat  PORT   a line-based chat room (a LineReceiver): each line goes to everyone else
// Try it with `nc 127.0.0.1 PORT` in a few terminals; Ctrl-C (SIGINT) stops the server.
// With --self-test it starts the chat server on a free port, connects two clients on loopback,
// checks that a line from one reaches the other, and exits (how `make test` runs it).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "protocols/protocols.h"
#include "reactor/reactor.h"

namespace {

class Echo final : public weft::Protocol {
    void dataReceived(std::span<const std::byte> data) override { transport_->write(data); }
};

// Everyone connected to the chat, and what they say to each other.
class ChatRoom {
public:
    void join(weft::LineReceiver& member) { members_.insert(&member); }
    void leave(weft::LineReceiver& member) { members_.erase(&member); }
    void say(weft::LineReceiver& from, std::string_view line) {
        for (weft::LineReceiver* member : members_)
            if (member != &from) member->sendLine(line);
    }

private:
    std::set<weft::LineReceiver*> members_;
};

class ChatMember final : public weft::LineReceiver {
public:
    explicit ChatMember(ChatRoom* room) : LineReceiver("\n", 1024), room_(room) {}
    void connectionMade() override {
        name_ = transport_->getPeer().toString();
        room_->join(*this);
        sendLine("welcome, " + name_);
    }
    void lineReceived(std::string_view line) override { room_->say(*this, name_ + ": " + std::string(line)); }
    void connectionLost(std::error_code reason) override {
        room_->leave(*this);
        LineReceiver::connectionLost(reason);
    }

private:
    ChatRoom* room_;
    std::string name_;
};

// --self-test: two chat clients on loopback; one speaks, the other must hear it.
class Listener final : public weft::LineReceiver {
public:
    Listener(std::string* heard, weft::Reactor** reactor) : LineReceiver("\n"), heard_(heard), reactor_(reactor) {}
    void lineReceived(std::string_view line) override {
        if (line.find("hello from the other client") != std::string_view::npos) {
            *heard_ = line;
            (*reactor_)->stop();
        } else if (line.rfind("welcome", 0) == 0) {
            ++welcomed;
        }
    }
    int welcomed = 0;

private:
    std::string* heard_;
    weft::Reactor** reactor_;
};

int selfTest() {
    // What the protocols use is made before the reactor, so that it outlives the reactor (whose
    // destructor ends any connection still open, calling connectionLost).
    ChatRoom room;
    auto factory = weft::Factory::forProtocol<ChatMember>(&room);
    std::string heard;
    weft::Reactor* loop = nullptr;
    auto listener = weft::ClientFactory::forProtocol<Listener>(&heard, &loop);
    auto speaker = std::make_unique<weft::ClientFactory>([&](const weft::Address&) -> std::unique_ptr<weft::Protocol> {
        struct Speaker final : weft::LineReceiver {
            Speaker() : LineReceiver("\n") {}
            void lineReceived(std::string_view line) override {
                if (line.rfind("welcome", 0) == 0) sendLine("hello from the other client");
            }
        };
        return std::make_unique<Speaker>();
    });
    weft::Reactor reactor;
    loop = &reactor;
    auto port = reactor.listenTCP(0, *factory, 50, "127.0.0.1");
    reactor.connectTCP(port->getHost(), *listener);
    // The speaker connects a moment later, so that the listener is in the room when it speaks.
    reactor.callLater(std::chrono::milliseconds(100), [&] { reactor.connectTCP(port->getHost(), *speaker); });
    reactor.callLater(std::chrono::seconds(5), [&] { reactor.stop(); });
    reactor.run();
    std::printf("listener heard: %s\n", heard.c_str());
    return heard.find("hello from the other client") != std::string::npos ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "--self-test") return selfTest();
    if ((mode != "echo" && mode != "chat") || argc < 3) {
        std::fprintf(stderr, "usage: echo {echo|chat} PORT   (or --self-test)\n");
        return 2;
    }
    auto port = static_cast<std::uint16_t>(std::atoi(argv[2]));
    ChatRoom room;
    std::unique_ptr<weft::Factory> factory = mode == "echo" ? weft::Factory::forProtocol<Echo>()
                                                            : weft::Factory::forProtocol<ChatMember>(&room);
    weft::Reactor reactor;
    auto listening = reactor.listenTCP(port, *factory, 128, "127.0.0.1");
    std::printf("%s server on %s (%s backend); Ctrl-C stops it\n", mode.c_str(),
                listening->getHost().toString().c_str(), reactor.backendName());
    reactor.addSignalHandler(SIGINT, [&] { reactor.stop(); });
    reactor.addSignalHandler(SIGTERM, [&] { reactor.stop(); });
    reactor.run();
    return 0;
}
