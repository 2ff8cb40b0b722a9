#include <async/platform.h>
#include <console/console_input.h>

namespace console {

namespace {

Input input;

}  // namespace

void receive(base::ReadonlyBytes bytes) { input.receive(bytes); }

Input& Input::the() { return input; }

void Input::receive(base::ReadonlyBytes bytes) {
    {
        IrqSpinLockGuard guard(lock_);
        for (u8 byte : bytes) (void)buffer_.push(byte);  // a full buffer counts what it drops
    }
    waiters_.wake_all();
}

usize Input::take(base::Bytes out, u64& dropped) {
    IrqSpinLockGuard guard(lock_);
    usize count = buffer_.take(out);
    dropped = count > 0 ? buffer_.take_dropped() : 0;
    return count;
}

bool Input::has_bytes() const {
    IrqSpinLockGuard guard(lock_);
    return !buffer_.is_empty();
}

bool Input::claim_reader(const void* session) {
    IrqSpinLockGuard guard(lock_);
    if (reader_ && reader_ != session) return false;
    reader_ = session;
    return true;
}

void Input::release_reader(const void* session) {
    IrqSpinLockGuard guard(lock_);
    if (reader_ == session) reader_ = nullptr;
}

void InputAwaiter::await_suspend(std::coroutine_handle<> handle) {
    async::current_job()->set_resume_point(handle);
    node_.waker = async::current_waker();
    channel_observer_.notify = [](SignalObserver& self) {
        static_cast<InputAwaiter*>(self.context)->node_.waker.wake();
    };
    channel_observer_.context = this;
    channel_observer_.wanted = poplar::abi::signals::peer_closed;
    async::platform::CriticalSection section;
    input_.add_waiter(node_);
    channel_->add_observer(channel_observer_);
    waiting_ = true;
    if (ready()) node_.waker.wake();  // came between await_ready and now
}

bool InputAwaiter::ready() const {
    return input_.has_bytes() || (channel_->signals() & poplar::abi::signals::peer_closed);
}

void InputAwaiter::stop_waiting() {
    if (!waiting_) return;
    async::platform::CriticalSection section;
    input_.remove_waiter(node_);
    channel_->remove_observer(channel_observer_);
    waiting_ = false;
}

}  // namespace console
