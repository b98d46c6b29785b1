#include "gen/windows_generator.hpp"

#include "core/json_writer.hpp"

#include <filesystem>
#include <fstream>
#include <simdjson.h>
#include <sstream>

namespace vigil::bench {
namespace {

struct benign {
    const char* image;
    const char* command_line; // %s: a random argument
    const char* parent;
    const char* original_file_name;
    const char* description;
    const char* company;
};

constexpr benign benign_processes[] = {
    {"C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s %s",
     "C:\\Windows\\System32\\services.exe", "svchost.exe", "Host Process for Windows Services",
     "Microsoft Corporation"},
    {"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
     "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer "
     "--field-trial-handle=%s "
     "--lang=en-US --enable-auto-reload --renderer-client-id=7 --launch-time-ticks=8412345",
     "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe", "chrome.exe", "Google Chrome",
     "Google LLC"},
    {"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE",
     "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\" /recycle /id %s",
     "C:\\Windows\\explorer.exe", "Outlook.exe", "Microsoft Outlook", "Microsoft Corporation"},
    {"C:\\Windows\\System32\\conhost.exe",
     "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1",
     "C:\\Windows\\System32\\cmd.exe", "CONHOST.EXE", "Console Window Host",
     "Microsoft Corporation"},
    {"C:\\Windows\\System32\\RuntimeBroker.exe",
     "C:\\Windows\\System32\\RuntimeBroker.exe -Embedding", "C:\\Windows\\System32\\svchost.exe",
     "RuntimeBroker.exe", "Runtime Broker", "Microsoft Corporation"},
    {"C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe",
     "\"C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe\" /ua "
     "/installsource scheduler /sessionid %s",
     "C:\\Windows\\System32\\svchost.exe", "msedgeupdate.exe", "Microsoft Edge Update",
     "Microsoft Corporation"},
    {"C:\\Windows\\System32\\cmd.exe",
     "C:\\Windows\\system32\\cmd.exe /c \"C:\\scripts\\backup-%s.bat\"",
     "C:\\Windows\\System32\\taskeng.exe", "Cmd.Exe", "Windows Command Processor",
     "Microsoft Corporation"},
    {"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
     "powershell.exe -NoProfile -File C:\\ProgramData\\Agent\\inventory.ps1 -Report %s",
     "C:\\Windows\\System32\\svchost.exe", "PowerShell.EXE", "Windows PowerShell",
     "Microsoft Corporation"},
    {"C:\\Windows\\System32\\taskhostw.exe", "taskhostw.exe Install $(Arg0) %s",
     "C:\\Windows\\System32\\svchost.exe", "taskhostw.exe", "Host Process for Windows Tasks",
     "Microsoft Corporation"},
    {"C:\\Program Files\\Notepad++\\notepad++.exe",
     "\"C:\\Program Files\\Notepad++\\notepad++.exe\" "
     "\"C:\\Users\\Public\\Documents\\notes-%s.txt\"",
     "C:\\Windows\\explorer.exe", "notepad++.exe", "Notepad++", "Don HO don.h@free.fr"},
};

constexpr const char* users[] = {"CORP\\alice",      "CORP\\bob",
                                 "CORP\\svc-backup", "NT AUTHORITY\\SYSTEM",
                                 "CORP\\carol",      "NT AUTHORITY\\NETWORK SERVICE"};

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

} // namespace

std::string windows_event::to_json() const {
    std::string out;
    core::json_writer w(out);
    w.begin_object().key("Event").begin_object().key("System").begin_object();
    for (const auto& [name, value] : fields) {
        if (name == "EventID" || name == "Channel" || name == "Computer") {
            w.field(name, value);
        }
    }
    w.end_object().key("EventData").begin_object();
    for (const auto& [name, value] : fields) {
        if (name != "EventID" && name != "Channel" && name != "Computer") {
            w.field(name, value);
        }
    }
    w.end_object().end_object().end_object();
    return out;
}

std::size_t windows_event::value_bytes() const {
    std::size_t n = 0;
    for (const auto& [name, value] : fields) {
        n += value.size();
    }
    return n;
}

windows_generator::windows_generator(std::uint64_t seed, std::vector<windows_event> attacks,
                                     double attack_share)
    : random_(seed), attacks_(std::move(attacks)), attack_share_(attack_share) {}

std::string windows_generator::hex(std::size_t digits) {
    static constexpr char alphabet[] = "0123456789ABCDEF";
    std::string out;
    for (std::size_t i = 0; i < digits; ++i) {
        out += alphabet[random_() % 16];
    }
    return out;
}

std::string windows_generator::guid() {
    return "{" + hex(8) + "-" + hex(4) + "-" + hex(4) + "-" + hex(4) + "-" + hex(12) + "}";
}

windows_event windows_generator::next() {
    const std::string computer = "WS-" + std::to_string(1000 + random_() % 400) + ".corp.example";
    const std::string pid = std::to_string(1000 + random_() % 30000);
    if (!attacks_.empty() &&
        std::uniform_real_distribution<double>(0, 1)(random_) < attack_share_) {
        windows_event e = attacks_[random_() % attacks_.size()];
        for (auto& [name, value] : e.fields) {
            if (name == "Computer") {
                value = computer;
            } else if (name == "ProcessId") {
                value = pid;
            } else if (name == "ProcessGuid") {
                value = guid();
            }
        }
        return e;
    }
    const benign& b = benign_processes[random_() % std::size(benign_processes)];
    std::string command_line = b.command_line;
    if (auto at = command_line.find("%s"); at != std::string::npos) {
        command_line.replace(at, 2, hex(8));
    }
    windows_event e;
    e.fields = {{"EventID", "1"},
                {"Channel", "Microsoft-Windows-Sysmon/Operational"},
                {"Computer", computer},
                {"ProcessGuid", guid()},
                {"ProcessId", pid},
                {"Image", b.image},
                {"Description", b.description},
                {"Company", b.company},
                {"OriginalFileName", b.original_file_name},
                {"CommandLine", command_line},
                {"CurrentDirectory", "C:\\Windows\\system32\\"},
                {"User", users[random_() % std::size(users)]},
                {"IntegrityLevel", random_() % 3 == 0 ? "High" : "Medium"},
                {"Hashes", "SHA256=" + hex(64)},
                {"ParentProcessId", std::to_string(600 + random_() % 8000)},
                {"ParentImage", b.parent}};
    return e;
}

std::vector<windows_event> windows_generator::load_attacks(const std::string& dir) {
    std::vector<windows_event> out;
    std::error_code ec;
    simdjson::dom::parser parser;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->path().extension() != ".json") {
            continue;
        }
        const std::string text = read_file(it->path());
        simdjson::dom::document_stream stream;
        if (parser.parse_many(text).get(stream) != simdjson::SUCCESS) {
            continue;
        }
        for (auto doc : stream) {
            simdjson::dom::object system;
            simdjson::dom::object data;
            int64_t id = 0;
            if (doc["Event"]["System"].get(system) || doc["Event"]["EventData"].get(data) ||
                system["EventID"].get(id) || id != 1) {
                continue;
            }
            windows_event e;
            e.fields = {{"EventID", "1"},
                        {"Channel", "Microsoft-Windows-Sysmon/Operational"},
                        {"Computer", "attacked"}};
            for (auto [key, value] : data) {
                std::string_view text_value;
                if (value.get(text_value) == simdjson::SUCCESS) {
                    e.fields.emplace_back(std::string(key), std::string(text_value));
                } else {
                    e.fields.emplace_back(std::string(key), simdjson::minify(value));
                }
            }
            out.push_back(std::move(e));
        }
    }
    return out;
}

} // namespace vigil::bench
