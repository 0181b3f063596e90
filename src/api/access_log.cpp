#include "api/access_log.hpp"

#include <algorithm>
#include <array>
#include <random>

#include "log/log.hpp"

namespace cargomon::api {
namespace {

bool request_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// A method is a token; anything else a client sent there is not worth a
// line's bytes.
std::string method_text(std::string_view method) {
  constexpr std::size_t kMaxMethod = 16;
  for (const char c : method) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return "other";
  }
  return method.size() <= kMaxMethod ? std::string(method) : "other";
}

}  // namespace

std::string request_id_of(std::string_view header) {
  if (!header.empty() && header.size() <= kMaxRequestId &&
      std::all_of(header.begin(), header.end(), request_id_char)) {
    return std::string(header);
  }
  // Unique enough to find a request's lines; not a secret.
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  std::string id(32, '0');
  for (std::size_t i = 0; i < id.size(); i += 16) {
    auto bits = random();
    for (std::size_t j = 0; j < 16; ++j, bits >>= 4) id[i + j] = kHex.at(bits & 0xF);
  }
  return id;
}

void log_answer(const Answered& answered, bool access_log) {
  const auto& response = answered.response;
  // Whole microseconds: an integer reads the same in every JSON reader,
  // where a fraction of a millisecond would come out as 5.8E-1.
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(answered.took).count();
  if (!response.warning.empty()) {
    log::record(spdlog::level::warn, response.warning,
                {{"route", answered.route}, {"status", response.status}, {"user", response.user}},
                answered.request_id);
  }
  if (!access_log) return;
  const auto method = method_text(answered.method);
  log::record(spdlog::level::info, "request",
              {{"method", std::string_view(method)},
               {"route", answered.route},
               {"status", response.status},
               {"duration_us", micros},
               {"bytes", response.body.size()},
               {"user", response.user}},
              answered.request_id);
}

}  // namespace cargomon::api
