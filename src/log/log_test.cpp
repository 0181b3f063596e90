#include "log/log.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <cstdio>
#include <regex>
#include <string>
#include <vector>

namespace cargomon::log {
namespace {

namespace json = boost::json;

TEST(LogLine, AJsonLineIsOneObjectWithTimestampLevelMessageAndRequestId) {
  const auto line =
      json::parse(json_line("2026-12-02T00:00:00.000Z", "info", "req-1", "say \"hi\"\nthen go"));
  EXPECT_EQ(line.at("timestamp"), "2026-12-02T00:00:00.000Z");
  EXPECT_EQ(line.at("level"), "info");
  EXPECT_EQ(line.at("requestId"), "req-1");
  EXPECT_EQ(line.at("message"), "say \"hi\"\nthen go");
  EXPECT_FALSE(json::parse(json_line("t", "info", "", "m")).as_object().contains("requestId"));
}

TEST(LogLine, AnAccessLineCarriesItsFieldsWithTheirTypes) {
  const auto text =
      json_line(timestamp(std::chrono::system_clock::now()), "info", "abc-1", "request",
                {{"method", "GET"},
                 {"route", "/pedidos/{pedido_id}"},
                 {"status", 404},
                 {"duration_us", std::int64_t{1250}},
                 {"bytes", std::size_t{27}},
                 {"user", "ana"}});
  EXPECT_EQ(text.find('\n'), std::string::npos);
  const auto line = json::parse(text).as_object();
  EXPECT_TRUE(std::regex_match(std::string(line.at("timestamp").as_string()),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << line.at("timestamp");
  EXPECT_EQ(line.at("route"), "/pedidos/{pedido_id}");
  EXPECT_EQ(line.at("status").as_int64(), 404);
  EXPECT_EQ(line.at("duration_us").as_int64(), 1250);
  EXPECT_EQ(line.at("bytes").to_number<std::int64_t>(), 27);
  EXPECT_EQ(line.at("user"), "ana");
  EXPECT_EQ(line.at("requestId"), "abc-1");
}

TEST(LogLine, FieldsCannotReplaceTheLinesOwnKeys) {
  const auto line =
      json::parse(json_line("t", "warn", "id", "m", {{"level", "info"}, {"message", "x"}}));
  EXPECT_EQ(line.at("level"), "warn");
  EXPECT_EQ(line.at("message"), "m");
}

TEST(LogLine, WhatAClientSentIsBoundedAndCannotBreakALine) {
  const std::string huge(10'000, 'x');
  const auto line =
      json::parse(json_line("t", "info", huge, huge, {{"user", std::string_view(huge)}}))
          .as_object();
  EXPECT_LE(line.at("requestId").as_string().size(), kMaxField + 3);
  EXPECT_LE(line.at("user").as_string().size(), kMaxField + 3);
  EXPECT_LE(line.at("message").as_string().size(), kMaxMessage + 3);
  // Invalid UTF-8 would make the line invalid JSON for a strict reader.
  const auto odd = json_line("t", "info", "", "m", {{"user", std::string_view("a\xff\xc3(b\nc")}});
  EXPECT_EQ(json::parse(odd).at("user"),
            "a?"
            "?(b?c");
  EXPECT_EQ(json::parse(json_line("t", "info", "", "m", {{"user", "José"}})).at("user"), "José");

  const auto text = text_line("t", "warn", "", "login failed", {{"user", "eve\nt warn forged"}});
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_EQ(text, R"(t warn login failed user="eve?t warn forged")");
}

TEST(LogLine, ATextLineIsTimestampLevelMessageAndFields) {
  EXPECT_EQ(
      text_line("2026-12-02T00:00:00.000Z", "info", "r-1", "request",
                {{"route", "/token"}, {"status", 200}, {"user", ""}}),
      R"(2026-12-02T00:00:00.000Z info request requestId=r-1 route=/token status=200 user="")");
}

TEST(LogLine, BoundedCutsAtACharacterBoundary) {
  EXPECT_EQ(bounded("ñññ", 5), "ññ...");
  EXPECT_EQ(bounded("short", 5), "short");
}

TEST(LogLine, TheTimestampIsUtcWithItsZone) {
  using namespace std::chrono;
  const sys_time<milliseconds> when = sys_days{2026y / 12 / 3} + 13h + 53min + 13s + 123ms;
  EXPECT_EQ(timestamp(when), "2026-12-03T13:53:13.123Z");
}

// What the installed writer put in `file`, one string per line.
std::vector<std::string> lines_of(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::vector<std::string> lines;
  std::string line;
  for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file)) {
    if (c == '\n') {
      lines.push_back(std::move(line));
      line.clear();
    } else {
      line += static_cast<char>(c);
    }
  }
  return lines;
}

TEST(LogWriter, SpdlogsLinesAndRecordsAreJsonLinesAtTheLevelAndAbove) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  const auto previous = spdlog::default_logger();
  auto lines = install(Format::json, spdlog::level::info, file);
  spdlog::debug("not written");
  spdlog::warn("the store is slow: {} ms", 250);
  record(spdlog::level::info, "request", {{"route", "/token"}, {"status", 200}}, "r-7");
  lines->set_request_id("invocation-1");
  record(spdlog::level::debug, "not written either", {});
  spdlog::error("during the invocation");
  lines->write_line(R"({"_aws":{}})");
  spdlog::set_default_logger(previous);

  const auto written = lines_of(file);
  std::fclose(file);
  ASSERT_EQ(written.size(), 4U);
  const auto warn = json::parse(written[0]).as_object();
  EXPECT_EQ(warn.at("level"), "warn");
  EXPECT_EQ(warn.at("message"), "the store is slow: 250 ms");
  EXPECT_TRUE(warn.at("timestamp").as_string().ends_with("Z"));
  const auto access = json::parse(written[1]).as_object();
  EXPECT_EQ(access.at("requestId"), "r-7");
  EXPECT_EQ(access.at("route"), "/token");
  EXPECT_EQ(access.at("status").as_int64(), 200);
  EXPECT_EQ(json::parse(written[2]).at("requestId"), "invocation-1");
  EXPECT_EQ(written[3], R"({"_aws":{}})");
}

TEST(LogSettings, FormatsAndLevelsByName) {
  EXPECT_EQ(parse_format("json"), Format::json);
  EXPECT_EQ(parse_format("text"), Format::text);
  EXPECT_FALSE(parse_format("xml"));
  EXPECT_EQ(parse_level("warn"), spdlog::level::warn);
  EXPECT_EQ(parse_level("debug"), spdlog::level::debug);
  EXPECT_FALSE(parse_level("warning"));
  EXPECT_EQ(level_name(spdlog::level::warn), "warn");
  EXPECT_EQ(level_name(spdlog::level::critical), "fatal");
}

}  // namespace
}  // namespace cargomon::log
