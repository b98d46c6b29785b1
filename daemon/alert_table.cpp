#include "alert_table.hpp"

#include <simdjson.h>
#include <string_view>

namespace vigil::daemon {
namespace {

std::string pad(std::string text, std::size_t width) {
    if (text.size() >= width) {
        text.resize(width - 2);
        text += "~";
    }
    text.resize(width, ' ');
    return text;
}

} // namespace

void print_alert_table(std::ostream& out, const std::vector<std::string>& alerts) {
    out << pad("CREATED", 25) << pad("GRADE", 6) << pad("LEVEL", 14) << pad("HOST", 18)
        << pad("RULE", 44) << "ID\n";
    simdjson::dom::parser parser;
    for (const auto& json : alerts) {
        simdjson::dom::element doc;
        if (parser.parse(json).get(doc) != simdjson::SUCCESS) {
            out << "(unreadable alert)\n";
            continue;
        }
        auto text = [&](std::string_view pointer) {
            std::string_view v;
            return doc.at_pointer(pointer).get(v) == simdjson::SUCCESS ? std::string(v)
                                                                       : std::string("-");
        };
        out << pad(text("/created_at"), 25) << pad(text("/grade"), 6)
            << pad(text("/rule/level"), 14) << pad(text("/host"), 18)
            << pad(text("/rule/title"), 44) << text("/id") << "\n";
    }
    out << alerts.size() << " alert(s)\n";
}

} // namespace vigil::daemon
