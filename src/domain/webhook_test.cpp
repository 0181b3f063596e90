#include "domain/webhook.hpp"

#include <gtest/gtest.h>

namespace cargomon {
namespace {

using namespace std::chrono_literals;

const Timestamp kStart{std::chrono::sys_days(std::chrono::year(2026) / 12 / 3)};

TEST(WebhookEvents, NamesRoundTripAndUnknownNamesAreRefused) {
  for (const auto name : webhook_event_names()) {
    ASSERT_TRUE(parse_webhook_event(name)) << name;
    EXPECT_EQ(to_string(*parse_webhook_event(name)), name);
  }
  EXPECT_FALSE(parse_webhook_event("pedido.borrado"));
  EXPECT_EQ(join_events(kAllWebhookEvents),
            "pedido.registrado,alerta.abierta,alerta.resuelta,dia.cerrado");
  EXPECT_EQ(split_events("dia.cerrado,pedido.registrado"),
            static_cast<std::uint8_t>(WebhookEvent::day_closed) |
                static_cast<std::uint8_t>(WebhookEvent::order_registered));
  EXPECT_EQ(split_events(""), 0);
}

TEST(WebhookRetry, DelaysDoubleFromTheBaseUpToTheCapWithoutJitter) {
  const WebhookRetryPolicy policy{.base = 5s, .cap = 40s, .jitter = 0.2, .give_up_after = 24h};
  WebhookProgress progress;
  Timestamp now = kStart;
  std::vector<std::chrono::microseconds> delays;
  for (int i = 0; i < 6; ++i) {
    auto next = after_failure(policy, progress, now, 0.0);
    ASSERT_TRUE(next);
    delays.push_back(*next->next_attempt - now);
    EXPECT_EQ(next->failures, i + 1);
    EXPECT_EQ(next->failing_since, kStart);
    now = *next->next_attempt;
    progress = *next;
  }
  EXPECT_EQ(delays, (std::vector<std::chrono::microseconds>{5s, 10s, 20s, 40s, 40s, 40s}));
}

TEST(WebhookRetry, JitterShortensADelayByAtMostItsShare) {
  const WebhookRetryPolicy policy{.base = 10s, .cap = 1h, .jitter = 0.2, .give_up_after = 24h};
  const auto longest = after_failure(policy, {}, kStart, 0.0);
  const auto shortest = after_failure(policy, {}, kStart, 0.999999);
  ASSERT_TRUE(longest && shortest);
  EXPECT_EQ(*longest->next_attempt - kStart, 10s);
  EXPECT_GT(*shortest->next_attempt - kStart, 7999ms);
  EXPECT_LT(*shortest->next_attempt - kStart, 10s);
}

TEST(WebhookRetry, RetriesForTwentyFourHoursThenParks) {
  const WebhookRetryPolicy policy;  // the production schedule
  WebhookProgress progress;
  Timestamp now = kStart;
  int attempts = 0;
  for (;;) {
    auto next = after_failure(policy, progress, now, 0.5);
    ++attempts;
    if (!next) break;
    ASSERT_LT(attempts, 1000);
    progress = *next;
    now = *progress.next_attempt;
  }
  // The last failure, the one that parks, came no sooner than 24 hours
  // after the first; and not much later: the cap bounds the last wait.
  EXPECT_GE(now - kStart, 24h);
  EXPECT_LT(now - kStart, 24h + policy.cap);
  EXPECT_GT(attempts, 10);
}

TEST(WebhookRetry, DeliveryIdsAreStablePerMessageAndDistinctAcrossLogs) {
  EXPECT_EQ(webhook_delivery_id("we_a", WebhookLog::orders, 7),
            webhook_delivery_id("we_a", WebhookLog::orders, 7));
  EXPECT_NE(webhook_delivery_id("we_a", WebhookLog::orders, 7),
            webhook_delivery_id("we_a", WebhookLog::events, 7));
  EXPECT_NE(webhook_delivery_id("we_a", WebhookLog::orders, 7),
            webhook_delivery_id("we_b", WebhookLog::orders, 7));
}

}  // namespace
}  // namespace cargomon
