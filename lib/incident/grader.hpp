#pragma once

#include "alert/alert.hpp"
#include "incident/incident_policy.hpp"

#include <span>

namespace vigil::incident {

// Makes alerts incidents (ARCHITECTURE.md §6): gives each its incident part — grade (from the
// rule level and the asset's criticality through the policy's matrix), response level, and
// the notify and contain deadlines counted from when the alert was created. The alert stage
// and `vigil replay` run it on every alert after the rate guard. The store keeps the incident
// part an alert already has when a later state of it arrives.
class grader {
public:
    explicit grader(incident_policy policy) : policy_(std::move(policy)) {}

    void grade(alert::alert& a) const;
    void grade(std::span<alert::alert> alerts) const {
        for (auto& a : alerts) {
            grade(a);
        }
    }
    [[nodiscard]] const incident_policy& policy() const { return policy_; }

private:
    incident_policy policy_;
};

} // namespace vigil::incident
