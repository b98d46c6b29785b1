#pragma once

#include "rules/sigma_pattern.hpp"

#include <cstddef>
#include <expected>
#include <hs.h>
#include <memory>
#include <string>
#include <vector>

namespace vigil::rules {

// A compiled block-mode Hyperscan database (immutable, shared by all workers).
class hyperscan_database {
public:
    struct entry {
        hs_expression expression;
        unsigned id = 0; // reported to the match callback
    };
    struct compile_failure {
        std::string message;
        int index = -1; // entry that failed, or -1 when the failure concerns the whole set
    };

    // Compiles all entries into one database. Control plane only: may take a while.
    [[nodiscard]] static std::expected<hyperscan_database, compile_failure>
    compile(const std::vector<entry>& entries);

    // Checks that Hyperscan accepts one expression; returns its error message if not.
    [[nodiscard]] static std::expected<void, std::string> check(const hs_expression& expression);

    [[nodiscard]] const hs_database_t* get() const { return db_.get(); }
    [[nodiscard]] std::size_t size_bytes() const;

private:
    struct deleter {
        void operator()(hs_database_t* db) const { hs_free_database(db); }
    };
    std::unique_ptr<hs_database_t, deleter> db_;
};

// Hyperscan scratch space: one per worker (STYLE.md, Hot paths).
class hyperscan_scratch {
public:
    hyperscan_scratch() = default;
    // Grows the scratch so that it serves `db` too.
    void reserve_for(const hyperscan_database& db);
    // A copy for another thread.
    [[nodiscard]] hyperscan_scratch clone() const;
    [[nodiscard]] hs_scratch_t* get() const { return scratch_.get(); }

private:
    struct deleter {
        void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
    };
    std::unique_ptr<hs_scratch_t, deleter> scratch_;
};

} // namespace vigil::rules
