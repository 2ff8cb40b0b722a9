#pragma once

// A program's argument text: what its spawner sent as the first message on its first start
// handle (init does so for `run=name:argument`). Empty when there is none.

#include <base/string_view.h>
#include <poplar/abi/syscalls.h>

namespace poplar {

// Reads it into `buffer` (at most `capacity` bytes; longer text gives empty).
base::StringView start_argument(const abi::StartInfo& start_info, char* buffer, usize capacity);

}  // namespace poplar
