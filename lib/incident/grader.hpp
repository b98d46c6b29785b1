#pragma once

#include "alert/alert.hpp"
#include "incident/asset_inventory.hpp"
#include "incident/incident_policy.hpp"

#include <span>

namespace vigil::incident {

// Makes alerts incidents (ARCHITECTURE.md §6): gives each its incident part — the asset it
// involves (asset_inventory::involved), grade (from the rule level and the asset's criticality,
// or the policy's default criticality, through the policy's matrix), response level, and
// the notify and contain deadlines counted from when the alert was created. The alert stage
// and `vigil replay` run it on every alert after the rate guard. The store keeps the incident
// part an alert already has when a later state of it arrives.
class grader {
public:
    explicit grader(incident_policy policy) : policy_(std::move(policy)) {}

    // `assets`: the inventory (may be null): the alert's asset and its criticality.
    void grade(alert::alert& a, const asset_inventory* assets) const;
    void grade(std::span<alert::alert> alerts, const asset_inventory* assets) const {
        for (auto& a : alerts) {
            grade(a, assets);
        }
    }
    [[nodiscard]] const incident_policy& policy() const { return policy_; }

private:
    incident_policy policy_;
};

} // namespace vigil::incident
