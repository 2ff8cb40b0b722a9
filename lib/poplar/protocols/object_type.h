#pragma once

// The types of kernel objects, as a handle's object-type tag. Shared by the kernel (which reports the
// type of each handle a message carries) and user space (whose messages name the types they expect, as
// ptah::Handle<ObjectType::Channel>). Values are ABI: never renumber.

#include <base/types.h>

namespace poplar {

enum class ObjectType : u32 {
    AddressSpace = 1,
    Task = 2,
    MemoryObject = 3,
    Channel = 4,
    Event = 5,
    Interrupt = 6,
    ServiceScope = 7,
    Ring = 8,
};

}  // namespace poplar
