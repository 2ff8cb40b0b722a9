#include <base/utility.h>
#include <object/service_change_log.h>

void ServiceChangeLog::record(base::StringView name, bool appeared) {
    ++sequence_;
    Change& change = ring_[sequence_ % capacity];
    change.sequence = sequence_;
    change.appeared = appeared;
    usize length = base::min<usize>(name.length(), sizeof(change.name_bytes));
    change.length = static_cast<u8>(length);
    __builtin_memcpy(change.name_bytes, name.data(), length);
}

bool ServiceChangeLog::holds_changes_after(u64 after) const {
    if (after > sequence_) return false;
    return sequence_ - after <= capacity;
}

usize ServiceChangeLog::copy_after(u64 after, base::Span<Change> out) const {
    if (!holds_changes_after(after)) return 0;
    usize count = 0;
    for (u64 sequence = after + 1; sequence <= sequence_ && count < out.size(); ++sequence)
        out[count++] = ring_[sequence % capacity];
    return count;
}
