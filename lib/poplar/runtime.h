#pragma once

// What the runtime keeps from program start-up.

#include <poplar/abi/syscalls.h>

namespace poplar {

// The StartInfo the kernel gave this task (the one main receives).
const abi::StartInfo& start_info();

}  // namespace poplar
