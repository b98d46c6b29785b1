#pragma once

#include "core/field_catalog.hpp"

#include <vector>

namespace vigil::parse {

// The fields a running rule set (and the alert output) needs: parsers may leave every other
// field out of the event (DESIGN.md §4). An empty projection keeps everything. Built on the
// control plane with the rule set; read-only on workers.
class field_projection {
public:
    // Keeps every field.
    field_projection() = default;

    void keep(core::field_id id) {
        if (id >= kept_.size()) {
            kept_.resize(id + 1, false);
        }
        kept_[id] = true;
        all_ = false;
    }
    [[nodiscard]] bool keeps(core::field_id id) const {
        return all_ || (id < kept_.size() && kept_[id]);
    }
    [[nodiscard]] bool keeps_all() const { return all_; }

private:
    bool all_ = true;
    std::vector<bool> kept_;
};

} // namespace vigil::parse
