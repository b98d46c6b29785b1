#include "parse/yaml_reader.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

namespace vigil::parse {

namespace {

// Nodes looked at for duplicate keys, at most: aliases share nodes, and a document of nested
// aliases ("billion laughs") would otherwise be walked for ever.
constexpr std::size_t max_nodes_checked = 1'000'000;

void report_duplicate_keys(const YAML::Node& root, const std::string& file,
                           core::diagnostics& diags) {
    std::vector<YAML::Node> pending{root};
    std::size_t checked = 0;
    while (!pending.empty() && checked < max_nodes_checked) {
        const YAML::Node node = pending.back();
        pending.pop_back();
        ++checked;
        if (node.IsSequence()) {
            for (const auto& item : node) {
                pending.push_back(item);
            }
        } else if (node.IsMap()) {
            std::unordered_map<std::string, int> first_line;
            for (const auto& entry : node) {
                if (entry.first.IsScalar()) {
                    const auto mark = entry.first.Mark();
                    auto [at, inserted] = first_line.emplace(entry.first.Scalar(), mark.line + 1);
                    if (!inserted) {
                        core::diagnostic d;
                        d.file = file;
                        d.line = mark.line + 1;
                        d.column = mark.column + 1;
                        d.reason = "duplicate key '" + entry.first.Scalar() + "' (first at line " +
                                   std::to_string(at->second) + ")";
                        d.code = "duplicate_key";
                        diags.add(std::move(d));
                    }
                }
                pending.push_back(entry.second);
            }
        }
    }
}

// yaml-cpp 0.7 loops for ever on some malformed inputs ("- a\n,\n{" among them), building
// nodes until memory runs out. A YAML text cannot hold more events (scalars, nulls, starts and
// ends of collections and documents) than a few per character, so a first pass counts them and
// stops the parse once there are more: the text is refused before a node is built.
class event_budget final : public YAML::EventHandler {
public:
    explicit event_budget(std::size_t text_bytes) : left_(4 * text_bytes + 64) {}

    void OnDocumentStart(const YAML::Mark& mark) override { spend(mark); }
    void OnDocumentEnd() override { spend(last_); }
    void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { spend(mark); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { spend(mark); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  const std::string&) override {
        spend(mark);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        spend(mark);
    }
    void OnSequenceEnd() override { spend(last_); }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {
        spend(mark);
    }
    void OnMapEnd() override { spend(last_); }

private:
    void spend(const YAML::Mark& mark) {
        last_ = mark;
        if (left_-- == 0) {
            throw YAML::ParserException(mark, "the YAML parser does not advance here (malformed "
                                              "input it cannot read)");
        }
    }

    std::size_t left_;
    YAML::Mark last_;
};

// Throws YAML::Exception for a text yaml-cpp cannot read or would not finish reading.
void check_parses(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    event_budget budget(text.size());
    while (parser.HandleNextDocument(budget)) {
    }
}

} // namespace

int line_of(const YAML::Node& node) {
    return node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
}

std::optional<std::string_view> misspelling_of(std::string_view key,
                                               std::initializer_list<std::string_view> known) {
    // Optimal string alignment distance (a swap of neighbours counts once), bounded by 2.
    auto distance = [](std::string_view a, std::string_view b) {
        std::vector<std::vector<std::size_t>> d(a.size() + 1,
                                                std::vector<std::size_t>(b.size() + 1));
        for (std::size_t i = 0; i <= a.size(); ++i) {
            d[i][0] = i;
        }
        for (std::size_t j = 0; j <= b.size(); ++j) {
            d[0][j] = j;
        }
        for (std::size_t i = 1; i <= a.size(); ++i) {
            for (std::size_t j = 1; j <= b.size(); ++j) {
                const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                    d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.size()][b.size()];
    };
    std::optional<std::string_view> best;
    std::size_t best_distance = 3;
    for (const auto candidate : known) {
        // Short keys are too near to everything to guess from.
        if (candidate.size() < 4 ||
            (key.size() > candidate.size() ? key.size() - candidate.size()
                                           : candidate.size() - key.size()) > 2) {
            continue;
        }
        if (const std::size_t d = distance(key, candidate); d < best_distance) {
            best = candidate;
            best_distance = d;
        }
    }
    return best;
}

bool report_unknown_keys(const YAML::Node& node, std::initializer_list<std::string_view> known,
                         std::string_view where, const std::string& file,
                         const std::string& rule_id, core::diagnostics& diags) {
    if (!node.IsMap()) {
        return true;
    }
    bool all_known = true;
    for (const auto& entry : node) {
        const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
        if (std::find(known.begin(), known.end(), key) != known.end()) {
            continue;
        }
        std::string reason = "unknown key '" + key + "' in " + std::string(where) + " (";
        if (auto near = misspelling_of(key, known)) {
            reason += "did you mean '" + std::string(*near) + "'?; ";
        }
        reason += "known here:";
        for (const auto k : known) {
            reason += " " + std::string(k);
        }
        reason += ")";
        core::diagnostic d;
        d.file = file;
        d.line = line_of(entry.first);
        d.column = entry.first.Mark().column + 1;
        d.rule_id = rule_id;
        d.reason = std::move(reason);
        d.code = "unknown_key";
        diags.add(std::move(d));
        all_known = false;
    }
    return all_known;
}

std::string yaml_error_reason(const YAML::Exception& e) {
    if (dynamic_cast<const YAML::DeepRecursion*>(&e) != nullptr) {
        return "invalid YAML: nested more than 2000 levels deep";
    }
    return "invalid YAML: " + e.msg;
}

std::optional<std::vector<YAML::Node>>
read_yaml_documents(std::string_view text, const std::string& file, core::diagnostics& diags) {
    std::vector<YAML::Node> documents;
    try {
        const std::string owned(text);
        check_parses(owned);
        documents = YAML::LoadAll(owned);
    } catch (const YAML::Exception& e) {
        core::diagnostic d;
        d.file = file;
        d.line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
        d.column = e.mark.line >= 0 && e.mark.column >= 0 ? e.mark.column + 1 : 0;
        d.reason = yaml_error_reason(e);
        d.code = "yaml";
        diags.add(std::move(d));
        return std::nullopt;
    }
    for (const auto& doc : documents) {
        report_duplicate_keys(doc, file, diags);
    }
    return documents;
}

std::optional<YAML::Node> read_yaml(std::string_view text, const std::string& file,
                                    core::diagnostics& diags) {
    auto documents = read_yaml_documents(text, file, diags);
    if (!documents) {
        return std::nullopt;
    }
    return documents->empty() ? YAML::Node() : documents->front();
}

std::optional<YAML::Node> read_yaml_file(const std::string& file, core::diagnostics& diags) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    if (in) {
        text << in.rdbuf();
    }
    if (!in || in.bad()) {
        diags.error(file, 0, "", "cannot read the file", "io");
        return std::nullopt;
    }
    return read_yaml(text.str(), file, diags);
}

} // namespace vigil::parse
