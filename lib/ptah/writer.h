#pragma once

// Where encoding puts its output. The codec is written once against this small interface and runs
// over two sinks: ByteWriter fills a buffer, SizeCounter only counts (encoded_size).

#include <base/result.h>
#include <base/span.h>
#include <ptah/handle.h>

namespace ptah {

class ByteWriter {
public:
    ByteWriter(base::Bytes buffer, HandleList& handles) : buffer_(buffer), handles_(handles) {}

    base::Result<void, Error> write(const u8* bytes, usize count) {
        if (count > buffer_.size() - size_) return Error::BufferTooSmall;
        __builtin_memcpy(buffer_.data() + size_, bytes, count);
        size_ += count;
        return {};
    }

    base::Result<u8, Error> add_handle(TransferredHandle handle) { return handles_.append(handle); }

    // Whether `count` more bytes fit: lets a codec refuse before costly checks of what it would write.
    bool has_room_for(usize count) const { return count <= buffer_.size() - size_; }
    usize size() const { return size_; }

private:
    base::Bytes buffer_;
    HandleList& handles_;
    usize size_ = 0;
};

class SizeCounter {
public:
    base::Result<void, Error> write(const u8*, usize count) {
        size_ += count;
        return {};
    }

    base::Result<u8, Error> add_handle(TransferredHandle) {
        if (handle_count_ == kMaxHandles) return Error::TooManyHandles;
        return static_cast<u8>(handle_count_++);
    }

    bool has_room_for(usize) const { return true; }
    usize size() const { return size_; }
    usize handle_count() const { return handle_count_; }

private:
    usize size_ = 0;
    usize handle_count_ = 0;
};

}  // namespace ptah
