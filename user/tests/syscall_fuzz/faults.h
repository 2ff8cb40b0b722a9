#pragma once

// How a `fault` child dies (protocol.h lists the kinds).

#include "protocol.h"

namespace fuzz {

// Commits the fault; `flags` are loaded into RFLAGS first where the fault goes through a
// system call. Never returns (exits -999 if the fault somehow did not happen).
[[noreturn]] void die_of(FaultKind kind, u64 flags);

}  // namespace fuzz
