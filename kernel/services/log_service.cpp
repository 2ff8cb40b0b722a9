#include <services/log_service.h>

namespace services {

base::ErrorOr<base::RefPtr<LogService>> LogService::create() {
    auto* service = new (std::nothrow) LogService();
    if (!service) return base::Error::NoMemory;
    return base::adopt_ref(service);
}

void LogService::record_text(log::Level level, Source source, base::StringView text) {
    __atomic_fetch_add(&records_, 1, __ATOMIC_RELAXED);
    if (source.task_id == kernel.task_id)
        log::write(level, "kernel: {}", text);
    else
        log::write(level, "task {}: {} (id {})", source.task_name, text, source.task_id);
}

}  // namespace services
