#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace vigil::core {

// One located problem found while loading configuration or rules. A loader collects all of them
// and returns them together, so an author sees every problem in one run (STYLE.md, Errors).
struct diagnostic {
    enum class severity { error, warning };

    severity level = severity::error;
    std::string file;
    int line = 0;        // 1-based; 0 when the problem concerns the whole file
    std::string rule_id; // empty outside rules
    std::string reason;
    // A short stable name for the kind of problem ("logsource", "modifier", ...), for counting
    // rejections by reason; not printed.
    std::string code;
    int column = 0; // 1-based; 0 when not known

    // "file:line[:column]: rule-id: reason", leaving out the parts that are empty.
    [[nodiscard]] std::string to_string() const;
};

// An ordered collection of diagnostics.
class diagnostics {
public:
    void error(std::string file, int line, std::string rule_id, std::string reason,
               std::string code = {});
    void warning(std::string file, int line, std::string rule_id, std::string reason);
    void add(diagnostic d) { items_.push_back(std::move(d)); }
    void append(const diagnostics& other);

    [[nodiscard]] bool has_errors() const;
    [[nodiscard]] std::size_t error_count() const;
    [[nodiscard]] std::size_t warning_count() const;
    [[nodiscard]] const std::vector<diagnostic>& items() const { return items_; }
    [[nodiscard]] bool empty() const { return items_.empty(); }

    // Every diagnostic on its own line, errors and warnings marked.
    [[nodiscard]] std::string to_string() const;

private:
    std::vector<diagnostic> items_;
};

} // namespace vigil::core
