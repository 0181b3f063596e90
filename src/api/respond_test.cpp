#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "api/exchange.hpp"

namespace cargomon::api {
namespace {

TEST(Respond, DeliversTheFirstAnswerOnlyEvenFromCopies) {
  std::vector<int> delivered;
  {
    const Respond respond([&](Response r) { delivered.push_back(r.status); });
    const Respond copy = respond;  // NOLINT(performance-unnecessary-copy-initialization)
    Response created;
    created.status = 201;
    copy(std::move(created));
    respond(Response{});
  }
  EXPECT_EQ(delivered, std::vector<int>{201});
}

TEST(Respond, AnswersInternalServerErrorWhenDroppedUnanswered) {
  std::optional<Response> delivered;
  {
    const Respond respond([&](Response r) { delivered = std::move(r); });
    const Respond copy = respond;  // NOLINT(performance-unnecessary-copy-initialization)
  }
  ASSERT_TRUE(delivered);
  EXPECT_EQ(delivered->status, 500);
  EXPECT_EQ(delivered->body, R"({"detail":"Internal Server Error"})");
}

}  // namespace
}  // namespace cargomon::api
