#pragma once

// The shell's line editing, one typed byte at a time: printable bytes are added and echoed,
// backspace (DEL or ^H) takes the last one back, ^U clears the line, ^C abandons it, the up and
// down arrows (ESC [ A, ESC [ B) walk the history, Enter (CR or LF; CR LF counts once) ends it.
// Other control bytes and escape sequences are ignored. A line longer than max_line_bytes is not
// taken: the bytes past the limit are not echoed, and Enter reports it too long (nothing runs).
// What to echo goes to `echo`, a callable taking a StringView.

#include <base/string_view.h>

namespace shell {

class LineEditor {
public:
    static constexpr usize max_line_bytes = 120;
    static constexpr usize history_lines = 8;

    enum class Event { none, line, too_long, cancelled };

    // Feeds one typed byte; on Event::line, line() is the line (until the next feed).
    template <typename Echo>
    Event feed(u8 byte, Echo&& echo) {
        bool after_cr = last_was_cr_;
        last_was_cr_ = byte == '\r';
        if (escape_ == 1) {
            escape_ = byte == '[' ? 2 : 0;
            return Event::none;
        }
        if (escape_ == 2) {
            escape_ = 0;
            if (byte == 'A') recall(+1, echo);
            if (byte == 'B') recall(-1, echo);
            return Event::none;
        }
        switch (byte) {
            case '\n':
                if (after_cr) return Event::none;  // CR LF: one Enter
                [[fallthrough]];
            case '\r': {
                echo(base::StringView("\n"));
                bool overflowed = overflowed_;
                finished_length_ = length_;
                __builtin_memcpy(finished_, buffer_, length_);
                length_ = 0;
                overflowed_ = false;
                recalled_ = 0;
                if (overflowed) return Event::too_long;
                if (finished_length_ > 0) remember(line());
                return Event::line;
            }
            case 0x7f:
            case 0x08:
                if (length_ > 0 && !overflowed_) {
                    --length_;
                    echo(base::StringView("\b \b"));
                }
                return Event::none;
            case 0x15:  // ^U
                erase_shown(echo);
                length_ = 0;
                overflowed_ = false;
                return Event::none;
            case 0x03:  // ^C
                echo(base::StringView("^C\n"));
                length_ = 0;
                overflowed_ = false;
                recalled_ = 0;
                return Event::cancelled;
            case 0x1b:
                escape_ = 1;
                return Event::none;
            default:
                break;
        }
        if (byte < 0x20 || byte > 0x7e) return Event::none;
        if (length_ == max_line_bytes) {
            overflowed_ = true;
            return Event::none;
        }
        buffer_[length_++] = static_cast<char>(byte);
        echo(base::StringView(&buffer_[length_ - 1], 1));
        return Event::none;
    }

    base::StringView line() const { return base::StringView(finished_, finished_length_); }

private:
    template <typename Echo>
    void erase_shown(Echo& echo) {
        for (usize i = 0; i < length_; ++i) echo(base::StringView("\b \b"));
    }

    // Replaces the line being edited with the history entry `step` older (+1) or newer (-1).
    template <typename Echo>
    void recall(int step, Echo& echo) {
        if (step < 0 && recalled_ == 0) return;
        usize wanted = step > 0 ? recalled_ + 1 : recalled_ - 1;
        if (wanted > history_count_) return;
        erase_shown(echo);
        recalled_ = wanted;
        overflowed_ = false;
        if (wanted == 0) {
            length_ = 0;
            return;
        }
        const Entry& entry = history_[(history_next_ + history_lines - wanted) % history_lines];
        __builtin_memcpy(buffer_, entry.text, entry.length);
        length_ = entry.length;
        echo(base::StringView(buffer_, length_));
    }

    void remember(base::StringView text) {
        Entry& entry = history_[history_next_];
        __builtin_memcpy(entry.text, text.data(), text.length());
        entry.length = text.length();
        history_next_ = (history_next_ + 1) % history_lines;
        if (history_count_ < history_lines) ++history_count_;
    }

    struct Entry {
        char text[max_line_bytes];
        usize length = 0;
    };

    char buffer_[max_line_bytes];
    usize length_ = 0;
    bool overflowed_ = false;
    char finished_[max_line_bytes];
    usize finished_length_ = 0;
    bool last_was_cr_ = false;
    int escape_ = 0;  // 1 after ESC, 2 after ESC [
    Entry history_[history_lines];
    usize history_next_ = 0;
    usize history_count_ = 0;
    usize recalled_ = 0;  // 0: the line being typed; n: the n-th newest history entry
};

}  // namespace shell
