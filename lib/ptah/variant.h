#pragma once

// A tagged union of distinct alternative types: Ptah's enum. The wire index of an alternative is its
// position in the list, so a protocol may append alternatives but never reorder them.
//
//   using Response = ptah::Variant<ServiceRegistered, NoSuchService>;
//   Response r = NoSuchService{};
//   if (auto* registered = r.get_if<ServiceRegistered>()) ...

#include <base/assert.h>
#include <base/utility.h>
#include <new>

namespace ptah {

namespace detail {

template <typename T, typename... Ts>
constexpr bool is_one_of = (std::is_same_v<T, Ts> || ...);

template <typename... Ts>
constexpr bool all_distinct = true;
template <typename T, typename... Ts>
constexpr bool all_distinct<T, Ts...> = !is_one_of<T, Ts...> && all_distinct<Ts...>;

template <typename T, typename First, typename... Rest>
constexpr u32 index_in_list() {
    if constexpr (std::is_same_v<T, First>)
        return 0;
    else
        return 1 + index_in_list<T, Rest...>();
}

template <typename... Ts>
constexpr usize max_size() {
    usize result = 1;
    ((result = sizeof(Ts) > result ? sizeof(Ts) : result), ...);
    return result;
}

template <typename... Ts>
constexpr usize max_alignment() {
    usize result = 1;
    ((result = alignof(Ts) > result ? alignof(Ts) : result), ...);
    return result;
}

}  // namespace detail

template <typename... Ts>
class Variant {
    static_assert(sizeof...(Ts) > 0, "a variant needs at least one alternative");
    static_assert(detail::all_distinct<Ts...>, "variant alternatives must be distinct types");

public:
    static constexpr u32 alternative_count = sizeof...(Ts);

    template <typename T>
    requires detail::is_one_of<T, Ts...>
    static constexpr u32 index_of = detail::index_in_list<T, Ts...>();

    // Holds the first alternative, default-constructed.
    Variant() { construct_first<Ts...>(); }

    template <typename U, typename T = std::remove_cvref_t<U>>
    requires detail::is_one_of<T, Ts...> Variant(U&& value) { construct<T>(base::forward<U>(value)); }

    Variant(const Variant& other) requires(std::is_copy_constructible_v<Ts>&&...) {
        other.visit(
            [this](const auto& value) { this->template construct<std::remove_cvref_t<decltype(value)>>(value); });
    }
    Variant(Variant&& other) {
        other.visit(
            [this](auto& value) { this->template construct<std::remove_cvref_t<decltype(value)>>(base::move(value)); });
    }
    Variant& operator=(const Variant& other) requires(std::is_copy_constructible_v<Ts>&&...) {
        if (this != &other) {
            destroy();
            other.visit(
                [this](const auto& value) { this->template construct<std::remove_cvref_t<decltype(value)>>(value); });
        }
        return *this;
    }
    Variant& operator=(Variant&& other) {
        if (this != &other) {
            destroy();
            other.visit([this](auto& value) {
                this->template construct<std::remove_cvref_t<decltype(value)>>(base::move(value));
            });
        }
        return *this;
    }
    ~Variant() { destroy(); }

    u32 index() const { return index_; }

    template <typename T>
    bool is() const {
        return index_ == index_of<T>;
    }

    template <typename T>
    T* get_if() {
        return is<T>() ? pointer<T>() : nullptr;
    }
    template <typename T>
    const T* get_if() const {
        return is<T>() ? pointer<T>() : nullptr;
    }

    template <typename T>
    T& get() {
        ASSERT(is<T>());
        return *pointer<T>();
    }
    template <typename T>
    const T& get() const {
        ASSERT(is<T>());
        return *pointer<T>();
    }

    template <typename T, typename... Args>
    T& emplace(Args&&... args) {
        destroy();
        return construct<T>(base::forward<Args>(args)...);
    }

    // Calls `visitor` with the held alternative.
    template <typename Visitor>
    void visit(Visitor&& visitor) {
        (void)((index_ == index_of<Ts> ? (visitor(*pointer<Ts>()), true) : false) || ...);
    }
    template <typename Visitor>
    void visit(Visitor&& visitor) const {
        (void)((index_ == index_of<Ts> ? (visitor(*pointer<Ts>()), true) : false) || ...);
    }

    bool operator==(const Variant& other) const {
        if (index_ != other.index_) return false;
        bool equal = false;
        visit([&](const auto& value) { equal = value == other.get<std::remove_cvref_t<decltype(value)>>(); });
        return equal;
    }

private:
    template <typename T>
    T* pointer() {
        return reinterpret_cast<T*>(storage_);
    }
    template <typename T>
    const T* pointer() const {
        return reinterpret_cast<const T*>(storage_);
    }

    template <typename T, typename... Args>
    T& construct(Args&&... args) {
        T* value = new (storage_) T(base::forward<Args>(args)...);
        index_ = index_of<T>;
        return *value;
    }

    template <typename First, typename...>
    void construct_first() {
        construct<First>();
    }

    void destroy() {
        visit([](auto& value) {
            using T = std::remove_cvref_t<decltype(value)>;
            value.~T();
        });
    }

    alignas(detail::max_alignment<Ts...>()) unsigned char storage_[detail::max_size<Ts...>()];
    u32 index_ = 0;
};

}  // namespace ptah
