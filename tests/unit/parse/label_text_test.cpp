#include "parse/label_text.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace vigil;

namespace {

using pairs = std::vector<std::pair<std::string, std::string>>;

pairs labels(std::string_view text) {
    parse::vendor_fields fields;
    core::arena scratch;
    parse::extract_labels(text, "w.", fields, scratch);
    pairs out;
    for (const auto& f : fields.items()) {
        out.emplace_back(f.name, f.value);
    }
    return out;
}

} // namespace

TEST_CASE("Windows message text: sections name the labels under them, tabs and line breaks "
          "or spaces separate pairs") {
    const std::string with_tabs =
        "A new process has been created.\r\n\r\nCreator Subject:\r\n\tSecurity ID:\t\tS-1-5-18\r\n"
        "\tAccount Name:\t\tWS01$\r\n\r\nProcess Information:\r\n\tNew Process Name:\t"
        "C:\\Windows\\System32\\whoami.exe\r\n\tProcess Command Line:\twhoami  /priv";
    const pairs want = {
        {"w.CreatorSubject.SecurityID", "S-1-5-18"},
        {"w.CreatorSubject.AccountName", "WS01$"},
        {"w.ProcessInformation.NewProcessName", "C:\\Windows\\System32\\whoami.exe"},
        {"w.ProcessInformation.ProcessCommandLine", "whoami  /priv"}};
    CHECK(labels(with_tabs) == want);
    // Snare turns tabs and line breaks into spaces: two or more still separate.
    const std::string flat =
        "A new process has been created.    Creator Subject:   Security ID:  S-1-5-18   "
        "Account Name:  WS01$    Process Information:   New Process Name: "
        "C:\\Windows\\System32\\whoami.exe   Process Command Line: whoami  /priv";
    CHECK(labels(flat) == want);
}

TEST_CASE("Windows message text: '-' and empty values are skipped, drive letters and single "
          "spaces are not labels") {
    CHECK(labels("Subject:  Account Name:  -   Logon ID:  0x0") ==
          pairs{{"w.Subject.LogonID", "0x0"}});
    CHECK(labels("Object Name:  C:\\Temp\\a b.txt  Handle ID:  0x44") ==
          pairs{{"w.ObjectName", "C:\\Temp\\a b.txt"}, {"w.HandleID", "0x44"}});
    CHECK(labels("no labels here at all").empty());
    CHECK(labels("").empty());
    // A colon inside a value after one space is part of the value.
    CHECK(labels("Failure Reason:  Unknown user name or bad password. Note: see KB") ==
          pairs{{"w.FailureReason", "Unknown user name or bad password. Note: see KB"}});
}
