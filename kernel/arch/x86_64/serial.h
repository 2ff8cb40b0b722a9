#pragma once

#include <base/types.h>

namespace x86_64::serial {

void initialize();
void write_byte(u8 byte);

}  // namespace x86_64::serial
