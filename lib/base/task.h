#pragma once

// Task<T, Frames>: a lazily started C++20 coroutine whose result is an ErrorOr. Awaiting a task
// runs it to completion and yields its result; a task whose frame could not be allocated yields
// NoMemory, so running out of memory is an error, never a crash. `Frames` says where frames live:
// a struct with `static void* allocate(usize)` (null when out of memory) and
// `static void free(void*)`. The kernel's async::Task (kernel/async/task.h) and user space's
// poplar::async::Task (lib/poplar/async/task.h) are this task on their own heaps.

#include <base/assert.h>
#include <base/result.h>
#include <coroutine>
#include <new>

namespace base {

template <typename T, typename Frames>
class Task;

template <typename T>
concept ErrorOrType = requires {
    typename T::ErrorType;
};

namespace task_detail {

template <typename Frames>
struct PromiseBase {
    std::coroutine_handle<> continuation;

    static void* operator new(usize size) noexcept { return Frames::allocate(size); }
    static void operator delete(void* pointer) noexcept { Frames::free(pointer); }

    std::suspend_always initial_suspend() noexcept { return {}; }

    struct FinalAwaiter {
        bool await_ready() noexcept { return false; }
        template <typename Promise>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> finished) noexcept {
            auto next = finished.promise().continuation;
            return next ? next : std::noop_coroutine();
        }
        void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }

    void unhandled_exception() noexcept { VERIFY_NOT_REACHED(); }
};

template <typename T, typename Frames>
struct Promise : PromiseBase<Frames> {
    alignas(T) unsigned char storage[sizeof(T)];
    bool has_result = false;

    ~Promise() {
        if (has_result) result().~T();
    }

    Task<T, Frames> get_return_object() noexcept;
    static Task<T, Frames> get_return_object_on_allocation_failure() noexcept;

    template <typename U>
    void return_value(U&& value) {
        new (storage) T(base::forward<U>(value));
        has_result = true;
    }
    // `co_return {};` (an ErrorOr<void> that succeeded).
    void return_value(T&& value) {
        new (storage) T(base::move(value));
        has_result = true;
    }

    T& result() { return *reinterpret_cast<T*>(storage); }
};

}  // namespace task_detail

template <typename T, typename Frames>
class [[nodiscard]] Task {
    static_assert(ErrorOrType<T>, "a task's result is an ErrorOr, so a frame allocation failure can be reported");

public:
    using promise_type = task_detail::Promise<T, Frames>;
    using Handle = std::coroutine_handle<promise_type>;

    Task() = default;
    explicit Task(Handle handle) : handle_(handle) {}
    Task(Task&& other) : handle_(base::exchange(other.handle_, nullptr)) {}
    Task& operator=(Task&& other) {
        if (this != &other) {
            destroy();
            handle_ = base::exchange(other.handle_, nullptr);
        }
        return *this;
    }
    Task(const Task&) = delete;
    Task& operator=(const Task&) = delete;
    ~Task() { destroy(); }

    // False when the frame could not be allocated.
    bool is_valid() const { return static_cast<bool>(handle_); }
    bool is_done() const { return handle_ && handle_.done(); }
    Handle handle() const { return handle_; }

    // The finished task's result (NoMemory for a task that never got a frame).
    T take_result() {
        if (!handle_) return base::Error::NoMemory;
        ASSERT(handle_.done() && handle_.promise().has_result);
        return base::move(handle_.promise().result());
    }

    struct Awaiter {
        Handle handle;
        bool await_ready() const { return !handle; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) {
            handle.promise().continuation = awaiting;
            return handle;
        }
        T await_resume() {
            if (!handle) return base::Error::NoMemory;
            return base::move(handle.promise().result());
        }
    };
    Awaiter operator co_await() & { return Awaiter{handle_}; }
    Awaiter operator co_await() && { return Awaiter{handle_}; }

private:
    void destroy() {
        if (handle_) base::exchange(handle_, nullptr).destroy();
    }

    Handle handle_;
};

template <typename T, typename Frames>
Task<T, Frames> task_detail::Promise<T, Frames>::get_return_object() noexcept {
    return Task<T, Frames>(std::coroutine_handle<Promise<T, Frames>>::from_promise(*this));
}

template <typename T, typename Frames>
Task<T, Frames> task_detail::Promise<T, Frames>::get_return_object_on_allocation_failure() noexcept {
    return Task<T, Frames>();
}

}  // namespace base
