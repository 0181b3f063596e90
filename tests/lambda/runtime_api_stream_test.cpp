// The Runtime API client's streamed responses against the stand-in Runtime
// API: the head Lambda expects, each write arriving as it is made, and an
// error once the body has started reported in the trailers.

#include <gtest/gtest.h>

#include "lambda/runtime_api.hpp"
#include "lambda/stand_in_runtime.hpp"

namespace cargomon::testing {
namespace {

using namespace std::chrono_literals;
using lambda::RuntimePost;
using lambda::StandInRuntime;

std::chrono::steady_clock::time_point soon() { return std::chrono::steady_clock::now() + 30s; }

TEST(RuntimeApiStreaming, EachWriteArrivesAsItIsMadeAndTheEndIsAccepted) {
  StandInRuntime runtime;
  lambda::RuntimeApi api(runtime.endpoint(), 1 << 20);
  const auto id = runtime.invoke("{}");
  ASSERT_EQ(api.next().request_id, id);
  const auto stream = api.stream_response(id, "text/plain");
  stream->write("one");
  const auto first = runtime.wait_stream(
      id, [](const RuntimePost& post) { return post.body == "one"; }, soon());
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->complete);
  EXPECT_EQ(first->headers.at("content-type"), "text/plain");
  EXPECT_EQ(first->headers.at("lambda-runtime-function-response-mode"), "streaming");
  EXPECT_EQ(first->headers.at("transfer-encoding"), "chunked");
  stream->write("two");
  EXPECT_EQ(stream->written(), 6u);
  EXPECT_TRUE(stream->finish());
  const auto done = runtime.wait_answer(id, soon());
  ASSERT_TRUE(done);
  EXPECT_EQ(done->body, "onetwo");
  EXPECT_EQ(done->chunks, (std::vector<std::string>{"one", "two", ""}));
  EXPECT_TRUE(done->trailers.empty());

  // The connection serves the next invocation as ever.
  const auto next = runtime.invoke("{}");
  ASSERT_EQ(api.next().request_id, next);
  EXPECT_TRUE(api.respond(next, "{}"));
}

TEST(RuntimeApiStreaming, AnErrorOnceTheBodyHasStartedGoesInTheTrailers) {
  StandInRuntime runtime;
  lambda::RuntimeApi api(runtime.endpoint(), 1 << 20);
  const auto id = runtime.invoke("{}");
  ASSERT_EQ(api.next().request_id, id);
  const auto stream = api.stream_response(id, "text/event-stream");
  stream->write("event: x\ndata: 1\n\n");
  EXPECT_TRUE(stream->fail("Cargomon.Broken", "it broke"));
  const auto done = runtime.wait_answer(id, soon());
  ASSERT_TRUE(done);
  EXPECT_EQ(done->trailers.at("lambda-runtime-function-error-type"), "Cargomon.Broken");
  // base64 of {"errorMessage":"it broke","errorType":"Cargomon.Broken"}
  EXPECT_EQ(done->trailers.at("lambda-runtime-function-error-body"),
            "eyJlcnJvck1lc3NhZ2UiOiJpdCBicm9rZSIsImVycm9yVHlwZSI6IkNhcmdvbW9uLkJyb2tlbiJ9");
  EXPECT_THROW(stream->write("more"), lambda::RuntimeApiError);  // it has ended
}

}  // namespace
}  // namespace cargomon::testing
