#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace vigil::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::expected<http_response, std::string> http_call(const std::string& method,
                                                    const std::string& url, const std::string& body,
                                                    std::chrono::seconds timeout) {
    constexpr std::string_view scheme = "http://";
    if (!url.starts_with(scheme)) {
        return std::unexpected("only http:// URLs are supported: " + url);
    }
    const std::string rest = url.substr(scheme.size());
    const std::size_t slash = rest.find('/');
    const std::string authority = rest.substr(0, slash);
    const std::string target = slash == std::string::npos ? "/" : rest.substr(slash);
    std::string host = authority;
    std::string port = "80";
    if (authority.starts_with('[')) {
        const std::size_t close = authority.find(']');
        host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':') {
            port = authority.substr(close + 2);
        }
    } else if (const std::size_t colon = authority.rfind(':'); colon != std::string::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }

    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    beast::flat_buffer buffer;
    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    request.set(http::field::host, authority);
    request.set(http::field::user_agent, "vigil");
    request.set(http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    http::response<http::string_body> response;
    std::string error;

    resolver.async_resolve(host, port, [&](beast::error_code ec, auto endpoints) {
        if (ec) {
            error = "cannot resolve " + host + ": " + ec.message();
            return;
        }
        stream.expires_after(timeout);
        stream.async_connect(endpoints, [&](beast::error_code connect_error, auto) {
            if (connect_error) {
                error = "cannot connect to " + authority + ": " + connect_error.message() +
                        " (is vigild running with its HTTP API on?)";
                return;
            }
            http::async_write(stream, request, [&](beast::error_code write_error, std::size_t) {
                if (write_error) {
                    error = "sending the request failed: " + write_error.message();
                    return;
                }
                http::async_read(
                    stream, buffer, response, [&](beast::error_code read_error, std::size_t) {
                        if (read_error) {
                            error =
                                read_error == beast::error::timeout
                                    ? "no answer within " + std::to_string(timeout.count()) + " s"
                                    : "reading the answer failed: " + read_error.message();
                        }
                    });
            });
        });
    });
    io.run();
    if (!error.empty()) {
        return std::unexpected(error);
    }
    return http_response{response.result_int(), response.body()};
}

} // namespace vigil::daemon
