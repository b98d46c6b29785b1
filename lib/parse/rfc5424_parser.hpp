#pragma once

#include "core/arena.hpp"
#include "core/event.hpp"
#include "parse/parse_error.hpp"

#include <string_view>

namespace vigil::parse {

// Parses the part of an RFC 5424 record after its "<PRI>": VERSION TIMESTAMP HOSTNAME APP-NAME
// PROCID MSGID STRUCTURED-DATA [MSG] (RFC 5424 §6). Nil values ("-") leave their field unset.
// Stateless and cheap: one per worker, or a temporary.
class rfc5424_parser {
public:
    // Fills `out` with every field it could read (values are views into `text` or, for escaped
    // SD-PARAM values, copies in `scratch`). On an error the caller keeps the record whole as the
    // message; fields read before the error stay.
    [[nodiscard]] parse_error parse(std::string_view text, core::event& out,
                                    core::arena& scratch) const;

    // True if `text` (after the PRI) looks like RFC 5424: a version number and a space.
    [[nodiscard]] static bool looks_like(std::string_view text);
};

} // namespace vigil::parse
