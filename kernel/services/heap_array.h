#pragma once

// What a kernel service's request copies out of a locked structure, allocated before the lock is
// taken (nothing may be allocated under it) and freed once the reply is encoded (the handler's
// reply_encoded): an idle or waiting session holds none of it. Used by kernel.services (names,
// changes) and kernel.log (recent lines).

#include <base/span.h>
#include <base/utility.h>
#include <mm/heap.h>

namespace services {

template <typename T, usize Count>
class HeapArray {
public:
    HeapArray() = default;
    HeapArray(const HeapArray&) = delete;
    HeapArray& operator=(const HeapArray&) = delete;
    ~HeapArray() { release(); }

    bool allocate() {
        if (!elements_) elements_ = new (std::nothrow) T[Count];
        return elements_ != nullptr;
    }
    void release() { delete[] base::exchange(elements_, nullptr); }
    base::Span<T> span() const { return base::Span<T>(elements_, Count); }

private:
    T* elements_ = nullptr;
};

}  // namespace services
