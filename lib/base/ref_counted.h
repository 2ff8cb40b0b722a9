#pragma once

// Intrusive reference counting. An object derives from RefCounted<Self> and is owned through
// RefPtr<Self>; the last RefPtr to go deletes it. `adopt` takes the initial reference of a fresh
// object, so there is no moment where an object has a count of zero and is still alive.

#include <base/assert.h>
#include <base/utility.h>

namespace base {

template <typename T>
class RefCounted {
public:
    RefCounted() = default;
    RefCounted(const RefCounted&) = delete;
    RefCounted& operator=(const RefCounted&) = delete;

    void ref() const {
        u32 old = __atomic_fetch_add(&ref_count_, 1, __ATOMIC_RELAXED);
        ASSERT(old > 0);
    }

    // Returns true when this dropped the last reference (the caller then deletes).
    bool unref() const {
        u32 old = __atomic_fetch_sub(&ref_count_, 1, __ATOMIC_ACQ_REL);
        ASSERT(old > 0);
        return old == 1;
    }

    u32 ref_count() const { return __atomic_load_n(&ref_count_, __ATOMIC_RELAXED); }

protected:
    ~RefCounted() = default;

private:
    mutable u32 ref_count_ = 1;
};

template <typename T>
class RefPtr {
public:
    RefPtr() = default;
    RefPtr(decltype(nullptr)) {}
    RefPtr(T* pointer) : pointer_(pointer) {
        if (pointer_) pointer_->ref();
    }
    RefPtr(const RefPtr& other) : RefPtr(other.pointer_) {}
    RefPtr(RefPtr&& other) : pointer_(exchange(other.pointer_, nullptr)) {}

    template <typename U>
    requires std::is_convertible_v<U*, T*> RefPtr(const RefPtr<U>& other) : RefPtr(other.get()) {}

    template <typename U>
    requires std::is_convertible_v<U*, T*> RefPtr(RefPtr<U>&& other) : pointer_(other.leak()) {}

    ~RefPtr() { clear(); }

    RefPtr& operator=(const RefPtr& other) {
        RefPtr copy(other);
        swap(pointer_, copy.pointer_);
        return *this;
    }
    RefPtr& operator=(RefPtr&& other) {
        RefPtr moved(base::move(other));
        swap(pointer_, moved.pointer_);
        return *this;
    }

    void clear() {
        T* old = exchange(pointer_, nullptr);
        if (old && old->unref()) delete old;
    }

    // Gives up ownership without dropping the reference.
    [[nodiscard]] T* leak() { return exchange(pointer_, nullptr); }

    // Takes ownership of a reference that somebody already counted.
    static RefPtr adopt(T* pointer) {
        RefPtr result;
        result.pointer_ = pointer;
        return result;
    }

    T* get() const { return pointer_; }
    T* operator->() const {
        ASSERT(pointer_);
        return pointer_;
    }
    T& operator*() const {
        ASSERT(pointer_);
        return *pointer_;
    }
    explicit operator bool() const { return pointer_ != nullptr; }
    bool operator==(const RefPtr& other) const { return pointer_ == other.pointer_; }
    bool operator==(const T* other) const { return pointer_ == other; }

private:
    T* pointer_ = nullptr;
};

// Adopts the initial reference of a newly created object.
template <typename T>
RefPtr<T> adopt_ref(T* object) {
    return RefPtr<T>::adopt(object);
}

}  // namespace base
