#include <ipc/session.h>
#include <mm/heap.h>
#include <object/service_registry.h>
#include <object/task.h>
#include <poplar/protocols/kernel_services.h>
#include <sched/work_queue.h>
#include <services/heap_array.h>
#include <services/services_service.h>
#include <services/session.h>

namespace services {

namespace {

namespace protocol = poplar::protocols::kernel_services;
using poplar::protocols::KernelServices;

static_assert(protocol::max_changes == ServiceChangeLog::capacity, "a Changes reply holds the whole log");

// Waits until the registry has a change after `after`, the client's end closes, or the job is
// cancelled; the caller looks at which.
class ChangeAwaiter {
public:
    ChangeAwaiter(base::RefPtr<Channel> channel, u64 after) : channel_(base::move(channel)), after_(after) {}
    ~ChangeAwaiter() { stop_waiting(); }
    ChangeAwaiter(const ChangeAwaiter&) = delete;
    ChangeAwaiter& operator=(const ChangeAwaiter&) = delete;

    bool await_ready() const { return async::current_job_cancelled() || ready(); }
    void await_suspend(std::coroutine_handle<> handle) {
        async::current_job()->set_resume_point(handle);
        waker_ = async::current_waker();
        auto wake = [](SignalObserver& self) { static_cast<ChangeAwaiter*>(self.context)->waker_.wake(); };
        registry_observer_.notify = wake;
        registry_observer_.context = this;
        channel_observer_.notify = wake;
        channel_observer_.context = this;
        channel_observer_.wanted = poplar::abi::signals::peer_closed;
        async::platform::CriticalSection section;
        ServiceRegistry::the().add_waiter(registry_observer_);
        channel_->add_observer(channel_observer_);
        waiting_ = true;
        if (ready()) waker_.wake();  // changed between await_ready and now
    }
    void await_resume() { stop_waiting(); }

private:
    bool ready() const {
        return ServiceRegistry::the().sequence() > after_ || (channel_->signals() & poplar::abi::signals::peer_closed);
    }
    void stop_waiting() {
        if (!waiting_) return;
        async::platform::CriticalSection section;
        ServiceRegistry::the().remove_waiter(registry_observer_);
        channel_->remove_observer(channel_observer_);
        waiting_ = false;
    }

    base::RefPtr<Channel> channel_;
    u64 after_;
    async::Waker waker_;
    SignalObserver registry_observer_;
    SignalObserver channel_observer_;
    bool waiting_ = false;
};

using Reply = base::ErrorOr<KernelServices::Response>;

// Changes, naming `changes` (which it borrows).
Reply changes_reply(base::Span<const ServiceChangeLog::Change> changes, ptah::Allocator& allocator) {
    protocol::Changes reply{ptah::Vector<protocol::Change>(allocator)};
    TRY(ptah::to_system_result(reply.changes.reserve(static_cast<u32>(changes.size()))));
    for (const auto& change : changes)
        TRY(ptah::to_system_result(
            reply.changes.append(protocol::Change{change.sequence, change.name(), change.appeared ? u8(1) : u8(0)})));
    return KernelServices::Response(base::move(reply));
}

// Served by ipc::serve. A reply borrows the names it carries from the copies below, which
// reply_encoded frees.
struct SessionHandler {
    // The session's own end: a Watch also ends when the client closes it.
    const base::RefPtr<Channel>& channel;
    ipc::BoundedAllocator allocator;  // the reply's vectors
    HeapArray<ServiceRegistry::Name, ServiceRegistry::max_services> names;
    HeapArray<ServiceChangeLog::Change, ServiceChangeLog::capacity> changes;

    Reply handle(const protocol::List& request) {
        if (!names.allocate()) return base::Error::NoMemory;
        u64 sequence = 0;
        usize total = ServiceRegistry::the().list(names.span(), sequence);
        u32 first = request.first;
        protocol::Listing listing{sequence, static_cast<u32>(total), first, ptah::Vector<base::StringView>(allocator)};
        if (first < total) {
            u32 count = static_cast<u32>(base::min<usize>(total - first, protocol::max_listing_names));
            TRY(ptah::to_system_result(listing.names.reserve(count)));
            for (u32 i = 0; i < count; ++i)
                TRY(ptah::to_system_result(listing.names.append(names.span()[first + i].view())));
        }
        return KernelServices::Response(base::move(listing));
    }

    // Changes or Resync once there is a change after `after`; PeerClosed once the client's end
    // closes, Cancelled with the job.
    async::Task<Reply> handle(const protocol::Watch& request) {
        u64 after = request.after_sequence;
        for (;;) {
            if (!changes.allocate()) co_return base::Error::NoMemory;
            usize count = 0;
            u64 sequence = 0;
            switch (ServiceRegistry::the().changes_after(after, changes.span(), count, sequence)) {
                case ServiceRegistry::Changes::resync:
                    co_return KernelServices::Response(protocol::Resync{sequence});
                case ServiceRegistry::Changes::some:
                    co_return changes_reply(changes.span().slice(0, count), allocator);
                case ServiceRegistry::Changes::none:
                    break;
            }
            changes.release();  // a waiting session holds none
            co_await ChangeAwaiter(channel, after);
            if (async::current_job_cancelled()) co_return base::Error::Cancelled;
            if (channel->signals() & poplar::abi::signals::peer_closed) co_return base::Error::PeerClosed;
        }
    }

    // Called by ipc::serve once the reply no longer needs what it borrowed.
    void reply_encoded() {
        names.release();
        changes.release();
    }
};

async::Task<base::ErrorOr<void>> serve_session(base::RefPtr<ServicesService>, base::RefPtr<Channel> channel) {
    SessionHandler handler{channel, ipc::BoundedAllocator(), {}, {}};
    co_return co_await ipc::serve<KernelServices>(channel, handler);
}

}  // namespace

base::ErrorOr<base::RefPtr<ServicesService>> ServicesService::create() {
    auto* service = new (std::nothrow) ServicesService();
    if (!service) return base::Error::NoMemory;
    return base::adopt_ref(service);
}

base::ErrorOr<base::RefPtr<Channel>> ServicesService::open_session(Task& client) {
    return open_session_on_client_queue(client, [&](base::RefPtr<Channel> end) {
        return serve_session(base::RefPtr<ServicesService>(this), base::move(end));
    });
}

}  // namespace services
