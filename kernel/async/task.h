#pragma once

// async::Task<T>: a lazily started C++20 coroutine whose result is an ErrorOr (base/task.h), its
// frame on the runtime's heap (platform::allocate). Awaiting a task runs it to completion and
// yields its result; a task whose frame could not be allocated yields NoMemory, so running out
// of memory is an error, never a crash.
//
//   async::Task<ErrorOr<u32>> read_word(Channel& channel) {
//       auto message = CO_TRY(co_await async::receive(channel));
//       co_return decode(message);
//   }

#include <async/platform.h>
#include <base/task.h>

namespace async {

struct PlatformFrames {
    static void* allocate(usize size) { return platform::allocate(size); }
    static void free(void* pointer) { platform::free(pointer); }
};

template <typename T>
using Task = base::Task<T, PlatformFrames>;

using base::ErrorOrType;

}  // namespace async
