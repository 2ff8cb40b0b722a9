#pragma once

#include <base/ref_counted.h>

namespace async {

class Job;

// Makes a suspended job ready again. Safe from interrupt handlers.
class Waker {
public:
    Waker() = default;
    explicit Waker(Job* job);
    Waker(const Waker& other);
    Waker(Waker&& other) : job_(base::exchange(other.job_, nullptr)) {}
    Waker& operator=(const Waker& other);
    // Moving takes no reference (an awaiter's `waker_ = current_waker()` on every wait).
    Waker& operator=(Waker&& other) {
        base::swap(job_, other.job_);
        return *this;
    }
    ~Waker();

    void wake() const;
    explicit operator bool() const { return job_ != nullptr; }

private:
    Job* job_ = nullptr;  // counted reference
};

}  // namespace async
