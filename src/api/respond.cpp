#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>

#include "api/errors.hpp"
#include "api/exchange.hpp"

namespace cargomon::api {

struct Respond::State {
  explicit State(Sink sink) : sink(std::move(sink)) {}
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  State(State&&) = delete;
  State& operator=(State&&) = delete;

  ~State() {
    if (answered.load()) return;
    spdlog::error("a request was left unanswered (a bug): answering 500");
    try {
      sink(error_response(ApiError::internal, "Internal Server Error"));
    } catch (const std::exception& e) {
      spdlog::error("answering an unanswered request failed: {}", e.what());
    } catch (...) {
      spdlog::error("answering an unanswered request failed");
    }
  }

  Sink sink;
  std::atomic<bool> answered{false};
  std::mutex user_mutex;
  std::string user;
};

Respond::Respond(Sink sink) : state_(std::make_shared<State>(std::move(sink))) {}

void Respond::operator()(Response response) const {
  if (state_->answered.exchange(true)) {
    spdlog::error("a request was answered twice (a bug): status {} dropped", response.status);
    return;
  }
  if (response.user.empty()) {
    const std::lock_guard lock(state_->user_mutex);
    response.user = state_->user;
  }
  state_->sink(std::move(response));
}

void Respond::attribute_to(std::string user) const {
  const std::lock_guard lock(state_->user_mutex);
  state_->user = std::move(user);
}

}  // namespace cargomon::api
