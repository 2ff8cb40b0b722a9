// For runtime_test: a program on the coroutine runtime that puts operations in flight (a wait on
// an event nobody raises, a sleep that never ends, a wait on its channel), says so on its channel,
// and then is killed, or exits from inside a job with the operations still in flight.

#include <poplar/async/executor.h>
#include <poplar/async/operations.h>
#include <poplar/channel.h>
#include <poplar/event.h>
#include <poplar/start.h>

namespace abi = poplar::abi;
namespace async = poplar::async;
using base::ErrorOr;

namespace {

async::Task<ErrorOr<u32>> wait_forever(const poplar::Event& event) {
    co_return co_await async::wait(event, abi::signals::signaled);
}

async::Task<ErrorOr<void>> sleep_forever() { co_return co_await async::sleep_until(abi::deadline_infinite); }

async::Task<ErrorOr<int>> run(const poplar::Channel& channel, const poplar::Event& event) {
    CO_TRY(async::spawn(wait_forever(event)));
    CO_TRY(async::spawn(sleep_forever()));
    CO_TRY(co_await async::sleep_for(1'000'000));  // the others' operations are in the kernel by now
    u8 ready = 1;
    CO_TRY(co_await async::send(channel, base::ReadonlyBytes(&ready, 1)));
    CO_TRY(co_await async::wait(channel, abi::signals::readable | abi::signals::peer_closed));
    poplar::sys::task_exit(0);
}

}  // namespace

int main(const abi::StartInfo& start) {
    if (start.handle_count < 1) return 1;
    poplar::Channel channel(start.handles[0]);
    auto executor = async::Executor::create(8);
    auto event = poplar::Event::create();
    if (executor.is_error() || event.is_error()) return 2;
    return executor.value().block_on(run(channel, event.value())).value_or(3);
}
