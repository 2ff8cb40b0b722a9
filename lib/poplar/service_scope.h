#pragma once

// The right to register service names (docs/services.md, "Names and rights") is a handle to a
// ServiceScope. init is given the root at boot and hands one on to each program it runs, after any
// start handles the program already expects; a program finds it by type.

#include <base/string_view.h>
#include <poplar/handle.h>

namespace poplar {

// The first of this task's start handles that names a service scope; invalid_handle if none does
// (the task may register nothing). The task still owns it: this only finds it.
HandleValue service_scope();

// A new handle to this task's scope with all its rights, to hand to a child (at task_spawn, after
// the start handles it expects); an empty Handle when the task has none.
base::ErrorOr<Handle> duplicate_service_scope();

// A new handle to the scope within `name` (a name the scope allows), with `scope`'s rights.
inline base::ErrorOr<Handle> narrow_service_scope(HandleValue scope, base::StringView name) {
    return Handle(TRY(sys::service_scope_narrow(scope, name.data(), name.length())));
}

// A new handle to a scope of the same names whose holders (and the scopes made from it) may keep
// at most `budget` registrations live at once, drawn from `scope`'s budget.
inline base::ErrorOr<Handle> limit_service_scope(HandleValue scope, u64 budget) {
    return Handle(TRY(sys::service_scope_limit(scope, budget)));
}

}  // namespace poplar
