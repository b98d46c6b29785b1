#include "net/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/x509_vfy.h>

namespace vigil::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

struct target {
    bool tls = false;
    std::string authority; // host:port as given
    std::string host;
    std::string port;
    std::string path;
};

std::expected<target, std::string> split_url(const std::string& url) {
    target t;
    std::string rest;
    if (url.starts_with("http://")) {
        rest = url.substr(7);
        t.port = "80";
    } else if (url.starts_with("https://")) {
        rest = url.substr(8);
        t.port = "443";
        t.tls = true;
    } else {
        return std::unexpected("only http:// and https:// URLs are supported: " + url);
    }
    const std::size_t slash = rest.find('/');
    t.authority = rest.substr(0, slash);
    t.path = slash == std::string::npos ? "/" : rest.substr(slash);
    t.host = t.authority;
    if (t.authority.starts_with('[')) {
        const std::size_t close = t.authority.find(']');
        t.host = t.authority.substr(1, close - 1);
        if (close + 1 < t.authority.size() && t.authority[close + 1] == ':') {
            t.port = t.authority.substr(close + 2);
        }
    } else if (const std::size_t colon = t.authority.rfind(':'); colon != std::string::npos) {
        t.host = t.authority.substr(0, colon);
        t.port = t.authority.substr(colon + 1);
    }
    return t;
}

// Connects `stream` (its lowest layer), shakes hands for TLS, writes `request`, reads the
// answer into `response`; sets `error` on failure. Runs on `io`. Without `allow_private`, the
// addresses is_private_address names are left out of those tried.
template <typename Stream>
void exchange(asio::io_context& io, Stream& stream, const target& t,
              http::request<http::string_body>& request,
              http::response<http::string_body>& response, const http_call_options& options,
              std::string& error) {
    const std::chrono::seconds timeout = options.timeout;
    const bool allow_private = options.allow_private;
    asio::ip::tcp::resolver resolver(io);
    beast::flat_buffer buffer;
    auto read_answer = [&] {
        http::async_write(stream, request, [&](beast::error_code write_error, std::size_t) {
            if (write_error) {
                error = "sending the request failed: " + write_error.message();
                return;
            }
            http::async_read(
                stream, buffer, response, [&](beast::error_code read_error, std::size_t) {
                    if (read_error) {
                        error = read_error == beast::error::timeout
                                    ? "no answer within " + std::to_string(timeout.count()) + " s"
                                    : "reading the answer failed: " + read_error.message();
                    }
                });
        });
    };
    resolver.async_resolve(t.host, t.port, [&](beast::error_code ec, auto resolved) {
        if (ec) {
            error = "cannot resolve " + t.host + ": " + ec.message();
            return;
        }
        std::vector<asio::ip::tcp::endpoint> endpoints;
        for (const auto& entry : resolved) {
            if (allow_private || !is_private_address(entry.endpoint().address())) {
                endpoints.push_back(entry.endpoint());
            }
        }
        if (endpoints.empty()) {
            error = "refused: " + t.host +
                    " resolves to a loopback, private, link-local or metadata address (set "
                    "allow_private to send there)";
            return;
        }
        beast::get_lowest_layer(stream).expires_after(timeout);
        beast::get_lowest_layer(stream).async_connect(
            endpoints, [&](beast::error_code connect_error, auto) {
                if (connect_error) {
                    error = "cannot connect to " + t.authority + ": " + connect_error.message();
                    return;
                }
                if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
                    read_answer();
                } else {
                    stream.async_handshake(asio::ssl::stream_base::client,
                                           [&](beast::error_code handshake_error) {
                                               if (handshake_error) {
                                                   error = "TLS handshake with " + t.authority +
                                                           " failed: " + handshake_error.message();
                                                   return;
                                               }
                                               read_answer();
                                           });
                }
            });
    });
    // Run until the exchange ends, looking at the cancel flag ten times a second.
    while (!io.stopped()) {
        io.run_for(std::chrono::milliseconds(100));
        if (options.cancelled != nullptr && options.cancelled->load() && !io.stopped()) {
            error = "cancelled (shutting down)";
            io.stop();
        }
    }
}

} // namespace

std::string_view http_response::header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
        if (n == name) {
            return v;
        }
    }
    return {};
}

bool is_private_address(const asio::ip::address& address) {
    if (address.is_v6()) {
        const auto v6 = address.to_v6();
        if (v6.is_v4_mapped()) {
            return is_private_address(asio::ip::make_address_v4(asio::ip::v4_mapped, v6));
        }
        const auto b = v6.to_bytes();
        return v6.is_loopback() || v6.is_unspecified() || v6.is_link_local() ||
               (b[0] & 0xfe) == 0xfc; // fc00::/7, unique local (fd00:ec2::254 among them)
    }
    const auto b = address.to_v4().to_bytes();
    return b[0] == 127 || b[0] == 10 || b[0] == 0 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
           (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
           (b[0] == 100 && (b[1] & 0xc0) == 64);
}

std::expected<http_response, std::string> http_call(const std::string& method,
                                                    const std::string& url, const std::string& body,
                                                    const http_call_options& options) {
    auto t = split_url(url);
    if (!t) {
        return std::unexpected(t.error());
    }
    http::request<http::string_body> request{http::string_to_verb(method), t->path, 11};
    request.set(http::field::host, t->authority);
    request.set(http::field::user_agent, "vigil");
    request.set(http::field::content_type, options.content_type);
    if (!options.token.empty()) {
        request.set(http::field::authorization, "Bearer " + options.token);
    }
    for (const auto& [name, value] : options.headers) {
        request.set(name, value);
    }
    request.body() = body;
    request.prepare_payload();
    http::response<http::string_body> response;
    std::string error;
    asio::io_context io;
    if (!t->tls) {
        beast::tcp_stream stream(io);
        exchange(io, stream, *t, request, response, options, error);
    } else {
        asio::ssl::context ctx(asio::ssl::context::tls_client);
        ctx.set_default_verify_paths();
        if (!options.ca_file.empty()) {
            boost::system::error_code ec;
            ctx.load_verify_file(options.ca_file, ec);
            if (ec) {
                return std::unexpected("cannot read " + options.ca_file + ": " + ec.message());
            }
            // The server's own certificate may be the trust anchor (a self-signed one).
            X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx.native_handle()),
                                        X509_V_FLAG_PARTIAL_CHAIN);
        }
        ctx.set_verify_mode(asio::ssl::verify_peer);
        beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
        stream.set_verify_callback(asio::ssl::host_name_verification(t->host));
        boost::system::error_code not_an_address;
        asio::ip::make_address(t->host, not_an_address);
        // SSL_set_tlsext_host_name, without the macro's C cast.
        if (not_an_address &&
            SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                     TLSEXT_NAMETYPE_host_name,
                     static_cast<void*>(const_cast<char*>(t->host.c_str()))) != 1) {
            return std::unexpected("cannot set the TLS server name " + t->host);
        }
        exchange(io, stream, *t, request, response, options, error);
    }
    if (!error.empty()) {
        return std::unexpected(error);
    }
    http_response out{response.result_int(), std::move(response.body()), {}};
    for (const auto& field : response) {
        std::string name(field.name_string());
        for (auto& c : name) {
            c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        out.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    return out;
}

} // namespace vigil::net
