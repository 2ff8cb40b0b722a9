#pragma once

// The fallible allocation hook behind Ptah's owning containers (String, Vector, Map). It is an object
// rather than a template parameter so that one message type, defined once in lib/poplar/protocols, serves
// the kernel (its heap), user space (its runtime's heap) and host tests alike. Running out of memory is an
// ordinary error: allocate returns nullptr and the container reports Error::OutOfMemory.

#include <base/types.h>

namespace ptah {

class Allocator {
public:
    // nullptr when the memory is not available. `alignment` is a power of two.
    virtual void* allocate(usize size, usize alignment) = 0;
    // Gives back a block from allocate with the same size and alignment.
    virtual void deallocate(void* pointer, usize size, usize alignment) = 0;

protected:
    ~Allocator() = default;
};

}  // namespace ptah
