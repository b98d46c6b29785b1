#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace vigil::core {

// A key written in the source ("grade", "sla"): checked when compiling to need no escaping, so
// the writer copies it as it is (an alert has dozens of them; escaping each was a fifth of
// building the incident part).
class json_name {
public:
    template <std::size_t N>
    consteval json_name(const char (&text)[N]) : text_(text, N - 1) { // NOLINT: implicit by design
        for (const char c : text_) {
            const auto b = static_cast<unsigned char>(c);
            if (b < 0x20 || b >= 0x80 || c == '"' || c == '\\') {
                throw "a json_name is printable ASCII without quotes or backslashes";
            }
        }
    }
    [[nodiscard]] constexpr std::string_view text() const { return text_; }

private:
    std::string_view text_;
};

// Text that is not a literal (a literal is a json_name).
template <typename Text>
concept json_text = !std::is_array_v<Text> && std::convertible_to<const Text&, std::string_view>;

// Appends JSON text to a string. Strings are written as valid UTF-8 whatever their bytes: an
// invalid byte becomes U+FFFD, so a hostile log line can never make an alert unreadable.
// The writer inserts commas; callers pair begin_* with end_* (checked in debug builds only).
class json_writer {
public:
    explicit json_writer(std::string& out) : out_(out) {}

    json_writer& begin_object();
    // Continues the complete object at the end of the text (its '}' goes; members written next
    // follow its own after a comma), to be closed with end_object() as if begun here.
    json_writer& reopen_object();
    json_writer& end_object();
    json_writer& begin_array();
    json_writer& end_array();
    json_writer& key(json_name name);
    template <json_text Text>
    json_writer& key(const Text& name) {
        return escaped_key(std::string_view(name));
    }
    json_writer& value(std::string_view text);
    json_writer& value(const char* text) { return value(std::string_view(text)); }
    json_writer& value(std::int64_t number);
    json_writer& value(std::uint64_t number);
    json_writer& value(int number) { return value(static_cast<std::int64_t>(number)); }
    json_writer& value(double number);
    json_writer& value(bool flag);
    json_writer& null();
    // Inserts already-encoded JSON as one value.
    json_writer& raw(std::string_view json);

    // key(name).value(v) in one call.
    template <typename T>
    json_writer& field(json_name name, const T& v) {
        key(name);
        return value(v);
    }
    template <json_text Text, typename T>
    json_writer& field(const Text& name, const T& v) {
        key(name);
        return value(v);
    }

    // Appends `text` as the body of a JSON string (no quotes) to `out`.
    static void escape(std::string& out, std::string_view text);

private:
    json_writer& escaped_key(std::string_view name);
    void before_value();
    // Starts a container; ends one.
    void open();
    void close();

    std::string& out_;
    // One bit per open container, set while it has no element yet (no vector to grow, and a
    // bit test per value); containers nested deeper than 64 keep theirs in `deeper_`.
    std::uint64_t first_bits_ = 0;
    std::vector<bool> deeper_;
    std::size_t depth_ = 0;
    bool after_key_ = false;
};

// Length of the valid UTF-8 sequence at the start of `text`, or 0 if it is not valid UTF-8.
[[nodiscard]] std::size_t utf8_sequence_length(std::string_view text);
[[nodiscard]] bool is_valid_utf8(std::string_view text);

} // namespace vigil::core
