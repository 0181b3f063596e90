#pragma once
// A small synchronous HTTP/1.1 client for tests (Boost.Beast), keeping its
// connection alive between requests and reconnecting when the server closed it.

#include <boost/json/value.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cargomon::testing {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  boost::json::value json() const;  // throws when the body is not JSON
  std::string header(const std::string& lower_name) const;
  // "detail" as text: the message, or the 422 entries joined.
  std::string detail() const;
};

class HttpClient {
 public:
  explicit HttpClient(unsigned short port);
  ~HttpClient();

  HttpResponse request(const std::string& method, const std::string& target,
                       const std::string& body = "",
                       const std::vector<std::pair<std::string, std::string>>& headers = {});
  HttpResponse get(const std::string& target, const std::string& token = "");
  HttpResponse post_json(const std::string& target, const std::string& body,
                         const std::string& token = "");

  // Sends raw bytes on a fresh connection and returns what the server
  // answered before closing (for malformed HTTP).
  std::string raw(const std::string& bytes,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // Logs in and returns the access token (fails the test on error).
  std::string login(const std::string& username, const std::string& password);

 private:
  struct Connection;
  unsigned short port_;
  std::unique_ptr<Connection> connection_;
};

// A Server-Sent Events reader over its own connection.
class EventReader {
 public:
  struct Event {
    std::string name;
    std::string id;
    std::string data;
  };
  EventReader(unsigned short port, const std::string& token, const std::string& last_event_id = "");
  ~EventReader();
  int status() const { return status_; }
  // The next event (comments skipped), or nullopt when none arrives before
  // the deadline or the stream ended.
  std::optional<Event> next(std::chrono::milliseconds deadline = std::chrono::seconds(5));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int status_ = 0;
};

}  // namespace cargomon::testing
