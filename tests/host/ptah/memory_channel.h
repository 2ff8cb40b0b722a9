#pragma once

// An in-memory channel pair for host tests of the protocol helpers. Each end has a queue of messages
// sent by its peer. A client's call is synchronous, so an end can be given a hook that runs before each
// receive: the test's server answers there.

#include <base/result.h>
#include <ptah/ptah.h>

#include <deque>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace ptah_test {

class MemoryChannel {
public:
    static std::pair<MemoryChannel, MemoryChannel> create_pair() {
        auto a = std::make_shared<Queue>();
        auto b = std::make_shared<Queue>();
        return {MemoryChannel(a, b), MemoryChannel(b, a)};
    }

    base::ErrorOr<void> send(base::ReadonlyBytes bytes, base::Span<const ptah::TransferredHandle> handles) {
        peer_->push_back(Message{{bytes.begin(), bytes.end()}, {handles.begin(), handles.end()}});
        return {};
    }

    base::ErrorOr<ptah::MessageSize> receive(base::Bytes bytes, base::Span<ptah::TransferredHandle> handles) {
        if (before_receive && inbox_->empty()) before_receive();
        if (inbox_->empty()) return base::Error::ShouldWait;
        Message& message = inbox_->front();
        if (message.bytes.size() > bytes.size() || message.handles.size() > handles.size())
            return base::Error::BufferTooSmall;  // the message stays queued
        std::copy(message.bytes.begin(), message.bytes.end(), bytes.begin());
        std::copy(message.handles.begin(), message.handles.end(), handles.begin());
        ptah::MessageSize size{message.bytes.size(), message.handles.size()};
        inbox_->pop_front();
        return size;
    }

    // Queues raw bytes as if the peer had sent them, for malformed-input tests.
    void inject(std::vector<u8> bytes, std::vector<ptah::TransferredHandle> handles = {}) {
        inbox_->push_back(Message{std::move(bytes), std::move(handles)});
    }

    usize pending() const { return inbox_->size(); }

    std::function<void()> before_receive;

private:
    struct Message {
        std::vector<u8> bytes;
        std::vector<ptah::TransferredHandle> handles;
    };
    using Queue = std::deque<Message>;

    MemoryChannel(std::shared_ptr<Queue> inbox, std::shared_ptr<Queue> peer)
        : inbox_(std::move(inbox)), peer_(std::move(peer)) {}

    std::shared_ptr<Queue> inbox_;
    std::shared_ptr<Queue> peer_;
};

static_assert(ptah::Channel<MemoryChannel>);

}  // namespace ptah_test
