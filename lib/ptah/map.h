#pragma once

// An owning map kept in ascending key order, as Ptah puts maps on the wire. Keys are integers, chars,
// String or base::StringView (ordered bytewise, like Rust's str).

#include <base/string_view.h>
#include <ptah/fields.h>
#include <ptah/string.h>
#include <ptah/vector.h>

namespace ptah {

template <typename K>
requires std::is_arithmetic_v<K> || std::is_same_v<K, char32_t>
constexpr int compare_keys(const K& a, const K& b) { return a < b ? -1 : (b < a ? 1 : 0); }

constexpr int compare_keys(base::StringView a, base::StringView b) {
    usize common = a.length() < b.length() ? a.length() : b.length();
    for (usize i = 0; i < common; ++i) {
        u8 left = static_cast<u8>(a[i]);
        u8 right = static_cast<u8>(b[i]);
        if (left != right) return left < right ? -1 : 1;
    }
    return a.length() == b.length() ? 0 : (a.length() < b.length() ? -1 : 1);
}

inline int compare_keys(const String& a, const String& b) { return compare_keys(a.view(), b.view()); }
inline int compare_keys(const String& a, base::StringView b) { return compare_keys(a.view(), b); }

template <typename K, typename V>
struct MapEntry {
    K key{};
    V value{};
    PTAH_FIELDS(key, value)
    bool operator==(const MapEntry&) const = default;
};

template <typename K, typename V>
class Map {
public:
    using Entry = MapEntry<K, V>;

    Map() = default;
    explicit Map(Allocator& allocator) : entries_(allocator) {}

    u32 size() const { return entries_.size(); }
    bool is_empty() const { return entries_.is_empty(); }
    const Entry* begin() const { return entries_.begin(); }
    const Entry* end() const { return entries_.end(); }

    // Inserts or replaces the value under `key`.
    base::Result<void, Error> insert(K key, V value) {
        u32 index = lower_bound(key);
        if (index < size() && compare_keys(entries_[index].key, key) == 0) {
            entries_[index].value = base::move(value);
            return {};
        }
        return entries_.insert(index, Entry{base::move(key), base::move(value)});
    }

    template <typename Key>
    const V* find(const Key& key) const {
        u32 index = lower_bound(key);
        if (index < size() && compare_keys(entries_[index].key, key) == 0) return &entries_[index].value;
        return nullptr;
    }

    bool operator==(const Map& other) const { return entries_ == other.entries_; }

    // For the decoder, which appends entries it has checked to be in ascending order.
    Vector<Entry>& entries() { return entries_; }

private:
    template <typename Key>
    u32 lower_bound(const Key& key) const {
        u32 low = 0, high = size();
        while (low < high) {
            u32 middle = low + (high - low) / 2;
            if (compare_keys(entries_[middle].key, key) < 0)
                low = middle + 1;
            else
                high = middle;
        }
        return low;
    }

    Vector<Entry> entries_;
};

}  // namespace ptah
