#include <poplar/print.h>
#include <poplar/syscall.h>

namespace poplar {

namespace detail {

void LogSink::write(base::StringView text) {
    for (char c : text) {
        if (length_ == capacity) flush();
        buffer_[length_++] = c;
    }
}

void LogSink::flush() {
    if (length_) (void)sys::debug_log(buffer_, length_);
    length_ = 0;
}

}  // namespace detail

void write_log(base::StringView text) {
    while (!text.is_empty()) {
        usize chunk = base::min<usize>(text.length(), abi::max_log_bytes);
        (void)sys::debug_log(text.data(), chunk);
        text = text.substring(chunk);
    }
}

}  // namespace poplar
