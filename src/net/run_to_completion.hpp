#pragma once
// For synchronous callers of the asynchronous client (tests, a tool's setup
// steps): runs one coroutine on an io_context of their own until it is done.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace cargomon::net {

// Runs `task` on `io` (from the calling thread) until it completes; returns
// its result or rethrows its exception.
template <class T>
T run_to_completion(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
  auto result = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.restart();
  io.run();
  return result.get();
}

}  // namespace cargomon::net
