#include "net/server_tls.hpp"

namespace vigil::net {

namespace asio = boost::asio;

std::expected<std::shared_ptr<asio::ssl::context>, std::string>
make_tls_context(const tls_files& files) {
    const std::string& certificate = files.certificate;
    const std::string& private_key = files.private_key;
    const std::string& client_ca = files.client_ca;
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(certificate, ec);
    if (ec) {
        return std::unexpected("cannot read the TLS certificate " + certificate + ": " +
                               ec.message());
    }
    ctx->use_private_key_file(private_key, asio::ssl::context::pem, ec);
    if (ec) {
        return std::unexpected("cannot read the TLS private key " + private_key + ": " +
                               ec.message());
    }
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
        return std::unexpected("the TLS private key " + private_key +
                               " does not belong to the certificate " + certificate);
    }
    if (!client_ca.empty()) {
        ctx->load_verify_file(client_ca, ec);
        if (ec) {
            return std::unexpected("cannot read the client CA " + client_ca + ": " + ec.message());
        }
        ctx->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    }
    return ctx;
}

std::expected<std::shared_ptr<server_tls>, std::string> server_tls::load(tls_files files) {
    std::shared_ptr<server_tls> tls(new server_tls(std::move(files)));
    if (auto loaded = tls->reload(); !loaded) {
        return std::unexpected(loaded.error());
    }
    return tls;
}

std::expected<void, std::string> server_tls::reload() {
    auto context = make_tls_context(files_);
    if (!context) {
        return std::unexpected(context.error());
    }
    current_ = std::move(*context);
    return {};
}

} // namespace vigil::net
