#pragma once
// What handlers work with, wired together once by the composition root
// (cli/serve.cpp). Nothing here owns anything.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "api/exchange.hpp"
#include "auth/login_throttle.hpp"
#include "auth/token.hpp"
#include "domain/audit.hpp"
#include "domain/business_calendar.hpp"
#include "domain/clock.hpp"
#include "storage/store.hpp"

namespace cargomon::metrics {
class Metrics;
}

namespace cargomon::api {

class EventFeed;
class MetricsReader;
class RateLimiter;

struct HttpSettings {
  std::vector<std::string> cors_origins;  // exact origins allowed to call the API from a browser
  std::filesystem::path web_dir;          // the built dashboard; empty: none served
  // A prefix such as "/Prod" the API is also served under: the original's
  // clients called https://…/Prod/token through API Gateway's stage. A
  // target under it is routed as the rest of its path; others as they are.
  std::string base_path;
  // One info line per answered request (api/access_log.hpp); the warnings
  // about refusals are written either way.
  bool access_log = true;
};

// Signed-in sessions (storage/session_store.hpp): how long they last
// without a renewal, and the grace for a renewal retried after a lost answer.
struct SessionSettings {
  // "Keep this screen signed in": a wall screen renewing for weeks.
  std::chrono::seconds kept_lifetime = std::chrono::days(30);
  // Without it: a working day in one browser tab.
  std::chrono::seconds browser_lifetime = std::chrono::hours(12);
  std::chrono::seconds retry_grace{30};
  // Sessions an admin's listing holds at most.
  std::size_t max_listed = 500;
};

struct Services {
  const BusinessCalendar& calendar;
  const Clock& clock;
  OrderStore& orders;
  UserStore& users;
  const auth::TokenService& tokens;
  auth::LoginThrottle& throttle;
  // Handlers that read the store run here, never on a network thread.
  BlockingExecutor& store_work;
  // Password hashing (Argon2id, tens of milliseconds by design).
  BlockingExecutor& hashing;
  EventFeed* feed = nullptr;  // live stream; absent where nothing streams
  HttpSettings settings;
  metrics::Metrics* metrics = nullptr;  // the operator's counters; null: none kept
  // Request rate limits (api/rate_limiter.hpp), per client address on every
  // request but the health checks, per user on every authenticated one;
  // null: none.
  RateLimiter* address_rate = nullptr;
  RateLimiter* user_rate = nullptr;
  // Reads /metrics and the metrics event with their comparison, keeping the
  // days compared with for a while (api/metrics_reader.hpp); null: each
  // request reads them.
  MetricsReader* metrics_reader = nullptr;
  // Where sessions are kept (the Store); null: POST /token hands out no
  // refresh tokens and the session routes answer 404.
  SessionStore* sessions = nullptr;
  SessionSettings session_settings{};
  // Webhook endpoints and their parked deliveries; null: the store keeps none.
  WebhookStore* webhooks = nullptr;
  // --webhook-allow-private: endpoints on loopback and private networks, and
  // plain http:// (for tests).
  bool webhook_allow_private = false;
  // The audit trail: what handlers record changes and refused logins with,
  // and what GET /auditoria reads; null: none kept (and /auditoria is 404).
  AuditRecorder* audit = nullptr;
  AuditLog* audit_log = nullptr;
};

struct Principal {
  std::string username;
  Role role;
  Timestamp token_expires_at;         // of the token that authenticated the request
  std::int64_t token_generation = 0;  // likewise: the user's when it was issued
};

}  // namespace cargomon::api
