#pragma once

// A ring's cursors as the kernel keeps them (object/ring.h): portable, so the host tests pin
// down every check on what user space writes. The user-visible words are only ever inputs here,
// checked against these copies; nothing read from shared memory is trusted.
//
// Cursors are free-running u32 counts (they wrap); differences are taken modulo 2^32.

#include <base/assert.h>
#include <base/result.h>
#include <base/types.h>

class RingCursors {
public:
    RingCursors(u32 sq_entries, u32 cq_entries) : sq_entries_(sq_entries), cq_entries_(cq_entries) {}

    // How many submissions user space offers given its sq_tail, or BadState when that tail is
    // behind the kernel's head or more than a full queue ahead of it.
    base::ErrorOr<u32> submissions_offered(u32 user_sq_tail) const {
        u32 offered = user_sq_tail - sq_head_;
        if (offered > sq_entries_) return base::Error::BadState;
        return offered;
    }

    // Takes user space's cq_head: it may only move forward, and not past what was written.
    // BadState otherwise (the kernel's copy stays).
    base::ErrorOr<void> update_cq_head(u32 user_cq_head) {
        if (user_cq_head - cq_head_ > cq_tail_ - cq_head_) return base::Error::BadState;
        cq_head_ = user_cq_head;
        return {};
    }

    // The next submission's slot, then consumed.
    u32 next_submission_slot() const { return sq_head_ & (sq_entries_ - 1); }
    void consume_submission() { ++sq_head_; }
    void consume_submissions(u32 count) { sq_head_ += count; }

    // Room for one more completion, kept for an accepted operation until it completes: a
    // completion is never dropped. False when completions written and unread plus those
    // reserved fill the queue.
    bool reserve_completion() { return reserve_completions(1) == 1; }
    // As many as `wanted` at once, for a batch: how many it got.
    u32 reserve_completions(u32 wanted) {
        u32 room = cq_entries_ - reserved_ - (cq_tail_ - cq_head_);
        u32 got = wanted < room ? wanted : room;
        reserved_ += got;
        return got;
    }

    // Uses one reservation: the slot to write the completion in. cq_tail then moves on.
    u32 complete_reserved() {
        ASSERT(reserved_ > 0);
        --reserved_;
        return cq_tail_++ & (cq_entries_ - 1);
    }
    // The slot the next completion goes in; complete_reserved(count) then uses `count`
    // reservations for the completions written from there on.
    u32 next_completion_slot() const { return cq_tail_ & (cq_entries_ - 1); }
    void complete_reserved(u32 count) {
        ASSERT(reserved_ >= count);
        reserved_ -= count;
        cq_tail_ += count;
    }

    u32 sq_head() const { return sq_head_; }
    u32 cq_tail() const { return cq_tail_; }
    u32 cq_head() const { return cq_head_; }
    u32 reserved() const { return reserved_; }
    // Completions written that user space had not consumed when it last said (cq_head).
    u32 completions_ready() const { return cq_tail_ - cq_head_; }

private:
    u32 sq_entries_, cq_entries_;
    u32 sq_head_ = 0;
    u32 cq_head_ = 0;
    u32 cq_tail_ = 0;
    u32 reserved_ = 0;
};
