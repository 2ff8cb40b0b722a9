#include <async/kernel_awaitables.h>
#include <time/clock.h>

namespace async {

SleepAwaiter::~SleepAwaiter() {
    platform::CriticalSection section;
    time::cancel(timer_);
}

// As SignalAwaiter's: a job asked to stop before it first slept must not sleep (its cancel has
// already woken it once).
bool SleepAwaiter::await_ready() const { return current_job_cancelled() || deadline_ <= time::monotonic_nanoseconds(); }

void SleepAwaiter::fired(time::Timer& timer) { static_cast<SleepAwaiter*>(timer.context)->waker_.wake(); }

void SleepAwaiter::await_suspend(std::coroutine_handle<> handle) {
    current_job()->set_resume_point(handle);
    waker_ = current_waker();
    timer_.callback = fired;
    timer_.context = this;
    platform::CriticalSection section;
    time::arm(timer_, deadline_);
}

base::ErrorOr<void> SleepAwaiter::await_resume() {
    {
        platform::CriticalSection section;
        time::cancel(timer_);
    }
    if (deadline_ <= time::monotonic_nanoseconds()) return {};
    return base::Error::Cancelled;  // woken before the deadline: only cancellation does that
}

SleepAwaiter sleep_for(u64 nanoseconds) { return SleepAwaiter(time::monotonic_nanoseconds() + nanoseconds); }

SignalAwaiter::SignalAwaiter(base::RefPtr<KernelObject> object, u32 wanted, u64 deadline)
    : object_(base::move(object)), wanted_(wanted), deadline_(deadline) {}

SignalAwaiter::~SignalAwaiter() { stop_waiting(); }

// A job asked to stop ends its wait at once, whatever is signalled: a cancel must never be lost
// to a signal that happens to be there too.
bool SignalAwaiter::await_ready() const { return current_job_cancelled() || (object_->signals() & wanted_); }

void SignalAwaiter::await_suspend(std::coroutine_handle<> handle) {
    current_job()->set_resume_point(handle);
    waker_ = current_waker();
    observer_.notify = [](SignalObserver& self) { static_cast<SignalAwaiter*>(self.context)->waker_.wake(); };
    observer_.context = this;
    observer_.wanted = wanted_;
    timer_.callback = [](time::Timer& timer) { static_cast<SignalAwaiter*>(timer.context)->waker_.wake(); };
    timer_.context = this;
    platform::CriticalSection section;
    object_->add_observer(observer_);
    if (object_->signals() & wanted_) waker_.wake();  // raised between await_ready and now
    if (deadline_ != no_deadline) time::arm(timer_, deadline_);
}

void SignalAwaiter::stop_waiting() {
    platform::CriticalSection section;
    object_->remove_observer(observer_);
    time::cancel(timer_);
}

base::ErrorOr<u32> SignalAwaiter::await_resume() {
    stop_waiting();
    if (current_job_cancelled()) return base::Error::Cancelled;
    u32 seen = object_->signals();
    if (seen & wanted_) return seen;
    if (deadline_ != no_deadline && deadline_ <= time::monotonic_nanoseconds()) return base::Error::TimedOut;
    return base::Error::ShouldWait;
}

Task<base::ErrorOr<u32>> wait_signals(base::RefPtr<KernelObject> object, u32 wanted, u64 deadline) {
    for (;;) {
        auto seen = co_await SignalAwaiter(object, wanted, deadline);
        if (!seen.failed_with(base::Error::ShouldWait)) co_return seen;
    }
}

Task<base::ErrorOr<void>> send(base::RefPtr<Channel> channel, MessagePointer message, u64 deadline) {
    using poplar::abi::signals::peer_closed;
    using poplar::abi::signals::writable;
    for (;;) {
        if (current_job_cancelled()) co_return base::Error::Cancelled;
        auto sent = channel->write(message);  // the channel's if it went, still ours if not
        if (!sent.failed_with(base::Error::ShouldWait)) co_return sent;
        CO_TRY(co_await wait_signals(channel, writable | peer_closed, deadline));
    }
}

Task<base::ErrorOr<MessagePointer>> call(base::RefPtr<Channel> channel, MessagePointer request, u64 deadline) {
    CO_TRY(co_await send(channel, base::move(request), deadline));
    co_return co_await receive(base::move(channel), deadline);
}

ChannelReadAwaiter::ChannelReadAwaiter(base::RefPtr<Channel> channel, Message* buffer, u64 deadline)
    : ChannelReadAwaiter(base::move(channel),
                         buffer ? base::Bytes(buffer->bytes(), buffer->byte_count()) : base::Bytes(), deadline) {}

ChannelReadAwaiter::ChannelReadAwaiter(base::RefPtr<Channel> channel, base::Bytes buffer, u64 deadline)
    : channel_(base::move(channel)), deadline_(deadline) {
    reader_.observer.notify = [](SignalObserver& self) {
        static_cast<ChannelReadAwaiter*>(self.context)->waker_.wake();
    };
    reader_.observer.context = this;
    reader_.observer.wanted = wanted;
    reader_.buffer = reinterpret_cast<u64>(buffer.data());
    reader_.byte_capacity = buffer.size();
}

ChannelReadAwaiter::~ChannelReadAwaiter() { stop_waiting(); }

bool ChannelReadAwaiter::await_ready() const { return current_job_cancelled() || (channel_->signals() & wanted); }

void ChannelReadAwaiter::await_suspend(std::coroutine_handle<> handle) {
    current_job()->set_resume_point(handle);
    waker_ = current_waker();
    platform::CriticalSection section;
    channel_->add_reader(reader_);
    reading_ = true;
    if (channel_->signals() & wanted) waker_.wake();  // written between await_ready and now
    if (deadline_ != no_deadline) {
        timer_.callback = [](time::Timer& timer) { static_cast<ChannelReadAwaiter*>(timer.context)->waker_.wake(); };
        timer_.context = this;
        time::arm(timer_, deadline_);
    }
}

void ChannelReadAwaiter::stop_waiting() {
    // Without a deadline no timer was armed: a session's wait (ipc::serve) pays for no timer.
    bool timed = deadline_ != no_deadline;
    // A reader the channel let go (it delivered, or the peer closed) needs no removing.
    if (reading_ && reader_.is_released()) reading_ = false;
    if (!reading_ && !timed) return;
    platform::CriticalSection section;
    if (base::exchange(reading_, false) && !reader_.is_released()) channel_->remove_reader(reader_);
    if (timed) time::cancel(timer_);
}

base::ErrorOr<void> ChannelReadAwaiter::await_resume() {
    stop_waiting();
    if (reader_.delivered || (channel_->signals() & wanted)) return {};
    if (current_job_cancelled()) return base::Error::Cancelled;
    if (deadline_ != no_deadline && deadline_ <= time::monotonic_nanoseconds()) return base::Error::TimedOut;
    return {};  // woken with nothing there (taken by another reader): look again
}

ReplyAwaiter::ReplyAwaiter(Channel& channel, ChannelReader& call, Waker& waker, u64 deadline)
    : channel_(channel), call_(call), waker_(waker), deadline_(deadline) {}

ReplyAwaiter::~ReplyAwaiter() {
    if (armed_) time::cancel(timer_);
}

void ReplyAwaiter::reply_waker_notify(SignalObserver& observer) { static_cast<Waker*>(observer.context)->wake(); }

bool ReplyAwaiter::await_ready() const {
    return call_.is_released() || current_job_cancelled() ||
           (deadline_ != no_deadline && deadline_ <= time::monotonic_nanoseconds());
}

void ReplyAwaiter::await_suspend(std::coroutine_handle<> handle) {
    current_job()->set_resume_point(handle);
    platform::CriticalSection section;
    waker_ = current_waker();
    if (call_.is_released()) waker_.wake();  // answered between await_ready and now
    if (deadline_ != no_deadline) {
        timer_.callback = [](time::Timer& timer) { static_cast<ReplyAwaiter*>(timer.context)->waker_.wake(); };
        timer_.context = this;
        time::arm(timer_, deadline_);
        armed_ = true;
    }
}

base::ErrorOr<void> ReplyAwaiter::await_resume() {
    {
        platform::CriticalSection section;
        if (base::exchange(armed_, false)) time::cancel(timer_);
        waker_ = Waker();  // no wake after this wait (the job may go on to other things)
    }
    if (call_.is_released()) return {};
    if (current_job_cancelled() || (deadline_ != no_deadline && deadline_ <= time::monotonic_nanoseconds())) {
        // Off the channel, unless a reply took it first: then that reply is the outcome.
        if (!channel_.remove_call(call_)) return {};
        return current_job_cancelled() ? base::Error::Cancelled : base::Error::TimedOut;
    }
    return base::Error::ShouldWait;  // woken early: wait again
}

Task<base::ErrorOr<MessagePointer>> receive(base::RefPtr<Channel> channel, u64 deadline) {
    for (;;) {
        if (current_job_cancelled()) co_return base::Error::Cancelled;
        auto message = channel->read();
        if (!message.failed_with(base::Error::ShouldWait)) co_return message;
        // A message made for a small one to be copied straight into while this job waits (none
        // if memory is short: the job then reads from the queue).
        auto made = Message::create(Channel::direct_message_limit, 0);
        MessagePointer buffer = made.is_ok() ? made.release_value() : MessagePointer();
        ChannelReadAwaiter wait(channel, buffer.get(), deadline);
        auto waited = co_await wait;
        if (wait.delivered()) {
            buffer->shrink_to(static_cast<u32>(wait.delivered_bytes()));
            buffer->set_transaction(wait.delivered_transaction());
            if (!current_job_cancelled()) co_return buffer;
            // Cancelled as it arrived: it goes back for the next reader, as if it had been queued.
            channel->unread(base::move(buffer));
            co_return base::Error::Cancelled;
        }
        CO_TRY(waited);
    }
}

}  // namespace async
