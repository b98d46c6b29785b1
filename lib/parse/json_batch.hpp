#pragma once

#include <string_view>
#include <vector>

namespace vigil::parse {

// A JSON document that carries many records of one source, each of them an event of its own:
// {"Records": [{...}, ...]} (CloudTrail log files as S3 delivers them, and collectors that pass
// such files on whole) and {"records": [{...}, ...]} (Azure Monitor diagnostic settings
// exporting to Event Hubs or storage), and an Amazon EventBridge event whose detail is
// {"findings": [...]} (Security Hub's "Security Hub Findings - Imported": ASFF findings, each
// complete without the envelope). Workers split such a document before parsing, so its records
// are parsed, classified and matched one by one.
//
// Fills `elements` with the texts of the array's objects (views into `document`) and returns
// true when `document` is such a batch of at least one object; returns false otherwise (another
// key beside the array, in `detail` or at the top of a Records document; an element that is not
// an object; text that is not well-formed JSON), and the document is parsed as one record.
[[nodiscard]] bool split_json_batch(std::string_view document,
                                    std::vector<std::string_view>& elements);

} // namespace vigil::parse
