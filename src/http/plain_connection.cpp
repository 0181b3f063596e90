#include "http/connection_impl.hpp"

namespace cargomon::http {

boost::asio::awaitable<void> serve_plain(boost::beast::tcp_stream& stream,
                                         const ConnectionContext& context, std::string client) {
  detail::Connection<boost::beast::tcp_stream> connection(stream, context, std::move(client));
  co_await connection.serve();
}

}  // namespace cargomon::http
