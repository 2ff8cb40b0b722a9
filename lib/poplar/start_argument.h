#pragma once

// A program's argument text: what its spawner sent as the first message on its first start
// handle (init does so for `run=name:argument`). Empty when there is none.

#include <base/string_view.h>
#include <poplar/abi/syscalls.h>
#include <poplar/channel.h>
#include <poplar/task.h>

namespace poplar {

// Reads it into `buffer` (at most `capacity` bytes; longer text gives empty).
base::StringView start_argument(const abi::StartInfo& start_info, char* buffer, usize capacity);

// A program started with `argument` as its argument text, and `scope` (if valid) as its second
// start handle. `channel` is the spawner's end of the first: the program may be told more there.
struct StartedProgram {
    Task task;
    Channel channel;
};
base::ErrorOr<StartedProgram> spawn_with_argument(base::StringView module, base::StringView argument,
                                                  Handle scope = {});

}  // namespace poplar
