#pragma once

// Result<T, E>: a value or an error, never both. Errors are values; there are no exceptions.
//
//   Result<Page*> allocate();
//   auto* page = TRY(allocate());      // returns the error to our caller on failure
//
// TRY and CO_TRY use a GNU statement expression, supported by both GCC and Clang.

#include <base/assert.h>
#include <base/error.h>
#include <base/utility.h>
#include <new>

namespace base {

template <typename E>
struct [[nodiscard]] Failure {
    E error;
};

template <typename E>
constexpr Failure<E> fail(E error) {
    return Failure<E>{error};
}

namespace detail {

struct ValueTag {};
struct ErrorTag {};

// Where a Result keeps its value or error. For trivially copyable values the compiler's own copy
// and destruction are used, so a small Result (an ErrorOr<u64>, say) travels in registers.
template <typename T, typename E, bool Trivial = std::is_trivially_copyable_v<T>&& std::is_trivially_destructible_v<T>>
class ResultStorage;

template <typename T, typename E>
class ResultStorage<T, E, true> {
protected:
    template <typename... Args>
    constexpr ResultStorage(ValueTag, Args&&... args) : has_value_(true), value_(base::forward<Args>(args)...) {}
    constexpr ResultStorage(ErrorTag, E error) : has_value_(false), error_(error) {}

    bool has_value_;
    union {
        T value_;
        E error_;
    };
};

template <typename T, typename E>
class ResultStorage<T, E, false> {
protected:
    template <typename... Args>
    ResultStorage(ValueTag, Args&&... args) : has_value_(true) {
        new (&value_) T(base::forward<Args>(args)...);
    }
    ResultStorage(ErrorTag, E error) : has_value_(false), error_(error) {}

    ResultStorage(ResultStorage&& other) : has_value_(other.has_value_) {
        if (has_value_)
            new (&value_) T(base::move(other.value_));
        else
            error_ = other.error_;
    }
    ResultStorage(const ResultStorage& other) : has_value_(other.has_value_) {
        if (has_value_)
            new (&value_) T(other.value_);
        else
            error_ = other.error_;
    }
    ResultStorage& operator=(ResultStorage&& other) {
        if (this != &other) {
            destroy();
            has_value_ = other.has_value_;
            if (has_value_)
                new (&value_) T(base::move(other.value_));
            else
                error_ = other.error_;
        }
        return *this;
    }
    ResultStorage& operator=(const ResultStorage& other) {
        if (this != &other) {
            destroy();
            has_value_ = other.has_value_;
            if (has_value_)
                new (&value_) T(other.value_);
            else
                error_ = other.error_;
        }
        return *this;
    }
    ~ResultStorage() { destroy(); }

    void destroy() {
        if (has_value_) value_.~T();
    }

    bool has_value_;
    union {
        T value_;
        E error_;
    };
};

}  // namespace detail

template <typename T, typename E = Error>
class [[nodiscard]] Result : private detail::ResultStorage<T, E> {
    using Storage = detail::ResultStorage<T, E>;

public:
    using ValueType = T;
    using ErrorType = E;

    Result(const T& value) : Storage(detail::ValueTag{}, value) {}
    Result(T&& value) : Storage(detail::ValueTag{}, base::move(value)) {}
    Result(E error) : Storage(detail::ErrorTag{}, error) {}
    Result(Failure<E> failure) : Storage(detail::ErrorTag{}, failure.error) {}

    template <typename U>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, T> &&
             !std::is_same_v<std::remove_cvref_t<U>, E> && !std::is_same_v<std::remove_cvref_t<U>, Result>)
        Result(U&& value)
        : Storage(detail::ValueTag{}, base::forward<U>(value)) {}

    bool is_ok() const { return this->has_value_; }
    bool is_error() const { return !this->has_value_; }
    // Whether this failed with `error` (false for a value): safe where either may be held.
    bool failed_with(E error) const { return !this->has_value_ && this->error_ == error; }
    explicit operator bool() const { return this->has_value_; }

    T& value() & {
        ASSERT(this->has_value_);
        return this->value_;
    }
    const T& value() const& {
        ASSERT(this->has_value_);
        return this->value_;
    }
    T&& value() && {
        ASSERT(this->has_value_);
        return base::move(this->value_);
    }
    T release_value() {
        ASSERT(this->has_value_);
        return base::move(this->value_);
    }
    E error() const {
        ASSERT(!this->has_value_);
        return this->error_;
    }

    T value_or(T fallback) const { return this->has_value_ ? this->value_ : fallback; }

    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
};

template <typename E>
class [[nodiscard]] Result<void, E> {
public:
    using ValueType = void;
    using ErrorType = E;

    Result() : has_value_(true), error_() {}
    Result(E error) : has_value_(false), error_(error) {}
    Result(Failure<E> failure) : has_value_(false), error_(failure.error) {}

    bool is_ok() const { return has_value_; }
    bool is_error() const { return !has_value_; }
    bool failed_with(E error) const { return !has_value_ && error_ == error; }
    explicit operator bool() const { return has_value_; }

    void value() const { ASSERT(has_value_); }
    void release_value() const { ASSERT(has_value_); }
    E error() const {
        ASSERT(!has_value_);
        return error_;
    }

private:
    bool has_value_;
    E error_;
};

template <typename T>
using ErrorOr = Result<T, Error>;

}  // namespace base

// Evaluates `expr` (a Result); on error returns the error from the enclosing function, otherwise
// yields the value.
#define TRY(expr)                                     \
    ({                                                \
        auto _try_result = (expr);                    \
        if (_try_result.is_error()) [[unlikely]]      \
            return ::base::fail(_try_result.error()); \
        _try_result.release_value();                  \
    })

// TRY for coroutines: co_returns the error.
#define CO_TRY(expr)                                     \
    ({                                                   \
        auto _try_result = (expr);                       \
        if (_try_result.is_error()) [[unlikely]]         \
            co_return ::base::fail(_try_result.error()); \
        _try_result.release_value();                     \
    })

// Evaluates `expr`, which must not fail: a failure is a broken invariant.
#define MUST(expr)                    \
    ({                                \
        auto _must_result = (expr);   \
        ASSERT(_must_result.is_ok()); \
        _must_result.release_value(); \
    })
