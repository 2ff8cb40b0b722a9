#pragma once

// Typed user pointers (in the spirit of Zircon's user_in_ptr / user_out_ptr): a system call's
// pointer argument is a UserIn<T> (the kernel only reads through it) or a UserOut<T> (only
// writes), never a bare address. Every access is a checked copy in the address space that is
// current, which is the calling task's: a kernel worker acting for a task copies what it needs
// when the operation is submitted, while the task's own thread runs (docs/architecture.md).

#include <arch/user_copy.h>
#include <base/result.h>

template <typename T>
class UserIn {
public:
    explicit UserIn(u64 address) : address_(address) {}

    base::ErrorOr<T> read() const {
        T value;
        TRY(arch::copy_from_user(&value, address_, sizeof(T)));
        return value;
    }
    // `count` elements; the caller has checked `count` against its limit.
    base::ErrorOr<void> read(T* destination, u64 count) const {
        return arch::copy_from_user(destination, address_, count * sizeof(T));
    }
    u64 address() const { return address_; }

private:
    u64 address_;
};

template <typename T>
class UserOut {
public:
    // No padding: padding bytes would carry whatever the kernel stack held there.
    static_assert(__has_unique_object_representations(T), "a padded struct would leak kernel stack bytes");

    explicit UserOut(u64 address) : address_(address) {}

    base::ErrorOr<void> write(const T& value) const { return arch::copy_to_user(address_, &value, sizeof(T)); }
    base::ErrorOr<void> write(const T* source, u64 count) const {
        return arch::copy_to_user(address_, source, count * sizeof(T));
    }
    u64 address() const { return address_; }

private:
    u64 address_;
};
