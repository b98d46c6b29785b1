#include "rules/hyperscan_database.hpp"

#include <cstdlib>
#include <stdexcept>

namespace vigil::rules {

std::expected<hyperscan_database, hyperscan_database::compile_failure>
hyperscan_database::compile(const std::vector<entry>& entries) {
    std::vector<const char*> patterns;
    std::vector<unsigned> flags;
    std::vector<unsigned> ids;
    patterns.reserve(entries.size());
    for (const auto& e : entries) {
        patterns.push_back(e.expression.pattern.c_str());
        flags.push_back(e.expression.flags);
        ids.push_back(e.id);
    }
    hs_database_t* db = nullptr;
    hs_compile_error_t* error = nullptr;
    const hs_error_t rc = hs_compile_multi(patterns.data(), flags.data(), ids.data(),
                                           static_cast<unsigned>(entries.size()), HS_MODE_BLOCK,
                                           nullptr, &db, &error);
    if (rc != HS_SUCCESS) {
        compile_failure failure{error ? error->message : "unknown Hyperscan error",
                                error ? error->expression : -1};
        hs_free_compile_error(error);
        return std::unexpected(std::move(failure));
    }
    hyperscan_database out;
    out.db_.reset(db);
    return out;
}

std::expected<void, std::string> hyperscan_database::check(const hs_expression& expression) {
    hs_expr_info_t* info = nullptr;
    hs_compile_error_t* error = nullptr;
    if (hs_expression_info(expression.pattern.c_str(), expression.flags, &info, &error) !=
        HS_SUCCESS) {
        std::string message = error ? error->message : "unknown Hyperscan error";
        hs_free_compile_error(error);
        return std::unexpected(std::move(message));
    }
    std::free(info); // allocated by Hyperscan's default allocator (malloc)
    return {};
}

std::size_t hyperscan_database::size_bytes() const {
    std::size_t size = 0;
    if (db_ && hs_database_size(db_.get(), &size) != HS_SUCCESS) {
        return 0;
    }
    return size;
}

void hyperscan_scratch::reserve_for(const hyperscan_database& db) {
    hs_scratch_t* s = scratch_.release();
    if (hs_alloc_scratch(db.get(), &s) != HS_SUCCESS) {
        throw std::runtime_error("hs_alloc_scratch failed (out of memory?)");
    }
    scratch_.reset(s);
}

hyperscan_scratch hyperscan_scratch::clone() const {
    hyperscan_scratch out;
    if (!scratch_) {
        return out;
    }
    hs_scratch_t* s = nullptr;
    if (hs_clone_scratch(scratch_.get(), &s) != HS_SUCCESS) {
        throw std::runtime_error("hs_clone_scratch failed (out of memory?)");
    }
    out.scratch_.reset(s);
    return out;
}

} // namespace vigil::rules
