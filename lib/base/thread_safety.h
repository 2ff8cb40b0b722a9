#pragma once

// Clang's thread-safety analysis (-Wthread-safety): a lock is a *capability*, data names the
// lock that guards it, and a function names the locks it needs, takes or gives back. The kernel
// builds with the analysis on and warnings as errors, so touching guarded data without its lock
// does not compile. Other compilers see nothing.
//
//   IrqSpinLock lock_;
//   u32 count_ GUARDED_BY(lock_);
//   void bump() REQUIRES(lock_) { ++count_; }
//
// The analysis sees one function at a time: a lock handed from one thread to another (the
// scheduler's, across a switch) is beyond it, and such code says so with
// NO_THREAD_SAFETY_ANALYSIS and a comment.

#if defined(__clang__)
#define THREAD_ANNOTATION(attribute) __attribute__((attribute))
#else
#define THREAD_ANNOTATION(attribute)
#endif

// On a lock type: it is a capability ("lock" in diagnostics).
#define CAPABILITY(name) THREAD_ANNOTATION(capability(name))
// On an RAII guard type: it holds a capability for its lifetime.
#define SCOPED_CAPABILITY THREAD_ANNOTATION(scoped_lockable)

// On data: reading or writing it needs the lock (PT_: the data a pointer points to does).
#define GUARDED_BY(lock) THREAD_ANNOTATION(guarded_by(lock))
#define PT_GUARDED_BY(lock) THREAD_ANNOTATION(pt_guarded_by(lock))

// On functions: the caller must hold the locks / the function takes them / gives them back.
#define REQUIRES(...) THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define ACQUIRE(...) THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
// The caller must not hold them (the function takes them itself).
#define EXCLUDES(...) THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// Checks at run time that the lock is held; the analysis then assumes it.
#define ASSERT_CAPABILITY(lock) THREAD_ANNOTATION(assert_capability(lock))
// The function returns (a reference to) this lock.
#define RETURN_CAPABILITY(lock) THREAD_ANNOTATION(lock_returned(lock))
// Documents an order between locks (checked only with -Wthread-safety-beta).
#define ACQUIRED_BEFORE(...) THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) THREAD_ANNOTATION(acquired_after(__VA_ARGS__))

// Turns the analysis off for one function; say why next to it.
#define NO_THREAD_SAFETY_ANALYSIS THREAD_ANNOTATION(no_thread_safety_analysis)
