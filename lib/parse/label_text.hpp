#pragma once

#include "core/arena.hpp"
#include "parse/vendor_fields.hpp"

#include <string_view>

namespace vigil::parse {

// Cuts "Label: value" pairs out of the text Windows renders for an event, as Snare and other
// forwarders send it in place of the event's data fields (tabs and line breaks often turned
// into spaces):
//   A new process has been created.  Creator Subject:  Security ID:  S-1-5-21-...
//   Account Name:  alice ...  Process Information:  New Process ID:  0x1ae0
//   New Process Name:  C:\Windows\System32\whoami.exe ...  Process Command Line:  whoami /priv
// A label is a capitalised run of words ending in ':' that starts the text or follows a tab, a
// line break or two spaces; its value runs to the next label. A label with no value opens a
// section ("Creator Subject:"), which later labels are named under. Each pair becomes the
// vendor field `prefix` + section + "." + label, spaces removed ("snare.CreatorSubject.
// AccountName", "snare.ProcessInformation.NewProcessName"); labels before any section have no
// section part. Values are trimmed; empty and "-" values are skipped.
void extract_labels(std::string_view text, std::string_view prefix, vendor_fields& out,
                    core::arena& scratch);

} // namespace vigil::parse
