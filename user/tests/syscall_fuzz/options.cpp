#include "options.h"

#include "families.h"
#include "parse.h"

namespace fuzz {

bool parse_options(base::StringView text, Options& options, base::StringView& error) {
    options.families = family::all;
    bool calls_given = false;
    while (!text.is_empty()) {
        usize colon = text.find(':');
        base::StringView word = text.substring(0, colon);
        text = colon < text.length() ? text.substring(colon + 1) : base::StringView();
        error = word;
        u64 number = 0;
        if (word == "soak") {
            options.soak = true;
        } else if (word.starts_with("seed=")) {
            if (!parse_number(word.substring(5), options.seed)) return false;
        } else if (word.starts_with("families=")) {
            if (!parse_families(word.substring(9), options.families)) return false;
        } else if (word.starts_with("workers=")) {
            if (!parse_number(word.substring(8), number) || number == 0 || number > Options::max_workers) return false;
            options.workers = static_cast<u32>(number);
        } else if (word.starts_with("calls=")) {
            if (!parse_number(word.substring(6), options.calls) || options.calls == 0) return false;
            calls_given = true;
        } else if (!word.is_empty()) {
            return false;
        }
    }
    if (options.soak && !calls_given) options.calls = Options::soak_calls;
    return true;
}

}  // namespace fuzz
