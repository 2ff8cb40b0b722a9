// A victim child: hostile calls mixed with calls that block until it is killed or its parent
// closes its channel, so that kills land mid-call. It never blocks on anything that outlives its
// parent, so it cannot be orphaned.

#include "arena.h"
#include "steps.h"

namespace fuzz {

void blocking_call(Fuzzer& f) {
    HandleValue control = f.control();
    u64 scratch = arena::scratch;
    switch (f.random().below(4)) {
        case 0:
            f.call(Syscall::wait_one, control, abi::signals::peer_closed, abi::deadline_infinite);
            break;
        case 1:
            f.call(Syscall::channel_receive, control, scratch, abi::max_message_bytes, scratch + abi::max_message_bytes,
                   abi::max_message_handles, abi::deadline_infinite);
            break;
        case 2: {
            HandleValue event = f.make(Kind::event);
            abi::WaitItem items[2] = {{control, abi::signals::peer_closed, 0, 0},
                                      {event, abi::signals::signaled, 0, 0}};
            f.call(Syscall::wait_many, sys::arg(items), 2, abi::deadline_infinite);
            break;
        }
        default: {
            // The request lands in the parent's queue; the reply never comes.
            abi::ChannelCallArguments arguments{arena::scratch_bytes(), 16, nullptr, 0,
                                                arena::scratch_bytes(), 64, nullptr, 0};
            f.call(Syscall::channel_call, control, sys::arg(&arguments), abi::deadline_infinite);
            break;
        }
    }
}

}  // namespace fuzz
