#include "correlate/quiet_keys.hpp"

namespace vigil::correlate {

void quiet_keys::lookup_key(std::string& out, std::uint32_t correlation, std::string_view key) {
    out.assign(std::to_string(correlation));
    out += ':';
    out.append(key);
}

bool quiet_keys::quiet(const rules::rule_set* matched_with, std::uint32_t c, std::string_view key,
                       std::int64_t time_ns, std::string& scratch) const {
    if (matched_with != rules || until.empty()) {
        return false;
    }
    lookup_key(scratch, c, key);
    const auto found = until.find(scratch);
    return found != until.end() && time_ns < found->second;
}

} // namespace vigil::correlate
