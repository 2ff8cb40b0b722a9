#pragma once

// Task<T>: a lazily started C++20 coroutine whose result is an ErrorOr (base/task.h), its frame on
// the user heap. Nothing runs until it is awaited (or spawned: poplar/async/executor.h); awaiting
// it runs it to its end on the awaiting job and yields its result. A frame that cannot be
// allocated gives a task that yields NoMemory.
//
//   async::Task<base::ErrorOr<u32>> read_word(const Channel& channel) {
//       u32 word = 0;
//       CO_TRY(co_await async::receive(channel, base::Bytes(reinterpret_cast<u8*>(&word), 4)));
//       co_return word;
//   }

#include <base/task.h>
#include <poplar/heap.h>

namespace poplar::async {

struct UserHeapFrames {
    static void* allocate(usize size) { return poplar::allocate(size); }
    static void free(void* pointer) { poplar::deallocate(pointer); }
};

template <typename T>
using Task = base::Task<T, UserHeapFrames>;

}  // namespace poplar::async
