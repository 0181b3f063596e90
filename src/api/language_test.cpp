// The API's messages in Spanish by default, in English on request: the
// catalogue knows every message the domain and the handlers write, and the
// 422's field locations and types never change.

#include "api/language.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/errors.hpp"
#include "auth/token.hpp"
#include "domain/order.hpp"
#include "domain/user_service.hpp"

namespace cargomon::api {
namespace {

TEST(Language, SpanishUnlessEnglishIsPreferred) {
  EXPECT_EQ(preferred_language(""), Language::spanish);
  EXPECT_EQ(preferred_language("es-CO,es;q=0.9"), Language::spanish);
  EXPECT_EQ(preferred_language("en-US,en;q=0.9"), Language::english);
  EXPECT_EQ(preferred_language("EN"), Language::english);
  EXPECT_EQ(preferred_language("es;q=0.5, en;q=0.8"), Language::english);
  EXPECT_EQ(preferred_language("en;q=0.5, es-CO;q=0.8"), Language::spanish);
  EXPECT_EQ(preferred_language("en, es"), Language::spanish);  // a tie: the users' language
  EXPECT_EQ(preferred_language("en;q=0"), Language::spanish);  // "not English"
  EXPECT_EQ(preferred_language("fr-FR,fr;q=0.9"), Language::spanish);
  EXPECT_EQ(preferred_language("de, en;q=0.3"), Language::english);
  EXPECT_EQ(preferred_language(";;,,q=x"), Language::spanish);
  EXPECT_EQ(preferred_language("*"), Language::spanish);
}

TEST(Language, MessagesWithValuesKeepTheValues) {
  EXPECT_EQ(in_spanish("Incorrect username or password"), "Usuario o contraseña incorrectos");
  EXPECT_EQ(in_spanish("Too many failed logins; try again in 42 seconds"),
            "Demasiados inicios de sesión fallidos; inténtalo de nuevo en 42 segundos");
  EXPECT_EQ(in_spanish("Pedido a;b not found"), "No se encontró el pedido a;b");
  EXPECT_EQ(in_spanish("Too many requests for this user: at most 0.5 a second, in bursts of 10; "
                       "retry in 2 seconds"),
            "Demasiadas solicitudes de este usuario: máximo 0.5 por segundo, en ráfagas de 10; "
            "reintenta en 2 segundos");
  EXPECT_EQ(in_spanish("must be a JSON object, not an array"),
            "debe ser un objeto JSON, no una lista");
  EXPECT_EQ(in_spanish("must be a string, not a number"), "debe ser un texto, no un número");
  EXPECT_EQ(in_spanish("Body is not valid JSON: syntax error at byte 7"),
            "El cuerpo no es JSON válido: syntax error en el byte 7");
  // A message inside a message is translated too.
  EXPECT_EQ(in_spanish("must be a valid URL: must start with https://"),
            "debe ser una URL válida: debe empezar por https://");
  // Unknown text is left as it is rather than guessed at.
  EXPECT_EQ(in_spanish("something new"), "something new");
}

// Every rule message the domain writes has its Spanish.
TEST(Language, EveryMessageOfTheDomainIsInTheCatalogue) {
  std::vector<std::string> messages{
      *check_text("", 10),
      *check_text("  ", 10),
      *check_text("abcdefghijk", 10),
      *check_text("a\x01", 10),
      *check_quantity(0),
      price_rule(),
      *check_reported_time(Timestamp{std::chrono::hours(48)}, Timestamp{}),
      *username_problem(""),
      *password_problem(""),
      *password_problem(std::string(5000, 'x')),
      std::string(kRoleProblem)};
  for (const auto error : {MoneyError::not_a_number, MoneyError::negative,
                           MoneyError::too_many_decimals, MoneyError::too_large}) {
    messages.push_back(*describe(error));
  }
  Order big;
  big.lines = {{"p", "P", order_limits::max_unit_price, order_limits::max_quantity}};
  if (const auto total = check_total(big)) messages.push_back(*total);
  for (const auto error : {auth::TokenError::malformed, auth::TokenError::bad_algorithm,
                           auth::TokenError::bad_signature, auth::TokenError::expired,
                           auth::TokenError::not_yet_valid, auth::TokenError::missing_claims}) {
    messages.emplace_back(auth::describe(error));
  }
  for (const auto& message : messages) {
    EXPECT_NE(in_spanish(message), message) << "not in the catalogue: " << message;
  }
}

TEST(Language, AnErrorAnswerIsTranslatedAndSaysItsLanguage) {
  auto response = error_response(ApiError::not_found, "Pedido p-1 not found");
  localize_error(response, Language::spanish);
  EXPECT_EQ(boost::json::parse(response.body).at("detail"), "No se encontró el pedido p-1");
  const auto has = [&](const char* name, const char* value) {
    return std::ranges::find(response.headers, std::pair<std::string, std::string>{name, value}) !=
           response.headers.end();
  };
  EXPECT_TRUE(has("Content-Language", "es"));
  EXPECT_TRUE(has("Vary", "Accept-Language"));

  auto english = error_response(ApiError::not_found, "Pedido p-1 not found");
  const auto before = english.body;
  localize_error(english, Language::english);
  EXPECT_EQ(english.body, before);
}

TEST(Language, AValidationAnswerKeepsItsLocationsAndTypes) {
  auto response = validation_response(
      {{{"body", "productos", std::size_t{0}, "precio"}, price_rule(), "type_error"},
       {{"body", "pedido_id"}, "field required", "value_error.missing"}});
  localize_error(response, Language::spanish);
  const auto body = boost::json::parse(response.body);
  const auto& first = body.at("detail").at(0);
  EXPECT_EQ(first.at("loc"), boost::json::parse(R"(["body","productos",0,"precio"])"));
  EXPECT_EQ(first.at("type"), "type_error");
  EXPECT_TRUE(first.at("msg").as_string().subview().starts_with("debe ser un número >= "))
      << first.at("msg");
  EXPECT_EQ(body.at("detail").at(1).at("msg"), "campo obligatorio");
  EXPECT_EQ(body.at("detail").at(1).at("type"), "value_error.missing");
}

TEST(Language, SuccessfulAnswersAreLeftAlone) {
  auto ok = json_response(200, R"({"detail":"Not Found"})");
  localize_error(ok, Language::spanish);
  EXPECT_EQ(ok.body, R"({"detail":"Not Found"})");
  EXPECT_TRUE(ok.headers.empty());
}

}  // namespace
}  // namespace cargomon::api
