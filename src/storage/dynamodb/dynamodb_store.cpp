#include "storage/dynamodb/dynamodb_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "aws/sigv4.hpp"
#include "domain/day_metrics.hpp"
#include "storage/dynamodb/order_relay.hpp"

namespace cargomon {
namespace {

namespace json = boost::json;
using aws::DynamoDbResult;
using Kind = DynamoDbResult::Kind;

// Sort keys are text: numbers are zero-padded so that text order is number
// order. Times are shifted to stay positive (1653..2286 fits in 17 digits).
constexpr std::int64_t kTimeOffset = 10'000'000'000'000'000;
constexpr int kTimeDigits = 17;
constexpr int kSequenceDigits = 19;
// Sequence values per sequence-log partition (s#BUCKET): see docs/dynamodb.md.
constexpr int kLogBucketBits = 10;
constexpr int kMaxIndexShards = 64;
constexpr int kMaxUserChangeRounds = 32;

std::string padded(std::int64_t value, int width) {
  std::string digits = std::to_string(value);
  if (static_cast<int>(digits.size()) < width) {
    digits.insert(0, static_cast<std::size_t>(width) - digits.size(), '0');
  }
  return digits;
}

std::int64_t to_int(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw StoreUnavailable("DynamoDB holds a malformed number: " + std::string(text.substr(0, 40)));
  }
  return value;
}

std::string time_key(Timestamp at, std::int64_t sequence) {
  return padded(at.time_since_epoch().count() + kTimeOffset, kTimeDigits) + "#" +
         padded(sequence, kSequenceDigits);
}

OrderCursor cursor_of_time_key(std::string_view key) {
  if (key.size() != kTimeDigits + 1 + kSequenceDigits) {
    throw StoreUnavailable("DynamoDB holds a malformed index key");
  }
  OrderCursor cursor;
  cursor.occurred_at =
      Timestamp(std::chrono::microseconds(to_int(key.substr(0, kTimeDigits)) - kTimeOffset));
  cursor.sequence = to_int(key.substr(kTimeDigits + 1));
  return cursor;
}

json::object S(std::string_view value) { return {{"S", value}}; }
json::object N(std::int64_t value) { return {{"N", std::to_string(value)}}; }
json::object BOOL(bool value) { return {{"BOOL", value}}; }

const json::object* attribute(const json::object& item, std::string_view name,
                              std::string_view type) {
  const auto* value = item.if_contains(name);
  if (value == nullptr || !value->is_object()) return nullptr;
  const auto* typed = value->get_object().if_contains(type);
  return typed != nullptr ? &value->get_object() : nullptr;
}

std::string get_s(const json::object& item, std::string_view name) {
  const auto* value = attribute(item, name, "S");
  if (value == nullptr || !value->at("S").is_string()) return {};
  return std::string(value->at("S").get_string());
}

std::optional<std::int64_t> get_n(const json::object& item, std::string_view name) {
  const auto* value = attribute(item, name, "N");
  if (value == nullptr || !value->at("N").is_string()) return std::nullopt;
  return to_int(value->at("N").get_string());
}

bool get_bool(const json::object& item, std::string_view name) {
  const auto* value = attribute(item, name, "BOOL");
  return value != nullptr && value->at("BOOL").is_bool() && value->at("BOOL").get_bool();
}

json::object key(std::string_view p, std::string_view k) { return {{"p", S(p)}, {"k", S(k)}}; }

// What idempotency compares (Order::same_content), hashed: the order item
// keeps it, so a replay is decided by one comparison.
std::string content_hash(const Order& order) {
  std::string text;
  const auto field = [&text](std::string_view value) {
    text += std::to_string(value.size());
    text += ':';
    text += value;
  };
  field(order.order_id);
  field(order.courier.id.text);
  field(order.courier.id.is_number ? "n" : "s");
  field(order.courier.name);
  field(order.reported_at ? std::to_string(order.reported_at->time_since_epoch().count()) : "-");
  for (const auto& line : order.lines) {
    field(line.product_id);
    field(line.product_name);
    field(std::to_string(line.unit_price.cents()));
    field(std::to_string(line.quantity));
  }
  return aws::sha256_hex(text);
}

// The order's attributes, as the order item and both of its copies hold them.
json::object order_attributes(const Order& order, const std::string& hash) {
  json::array lines;
  lines.reserve(order.lines.size());
  for (const auto& line : order.lines) {
    lines.push_back(json::object{{"M",
                                  {{"pid", S(line.product_id)},
                                   {"pname", S(line.product_name)},
                                   {"price", N(line.unit_price.cents())},
                                   {"qty", N(line.quantity)}}}});
  }
  json::object item{{"id", S(order.order_id)},
                    {"seq", N(order.sequence)},
                    {"cid", S(order.courier.id.text)},
                    {"cnum", BOOL(order.courier.id.is_number)},
                    {"cname", S(order.courier.name)},
                    {"rec", N(order.received_at.time_since_epoch().count())},
                    {"lines", json::object{{"L", std::move(lines)}}},
                    {"h", S(hash)}};
  if (order.reported_at) item["rep"] = N(order.reported_at->time_since_epoch().count());
  return item;
}

Order decode_order(const json::object& item) {
  Order order;
  order.order_id = get_s(item, "id");
  order.sequence = get_n(item, "seq").value_or(0);
  order.courier.id.text = get_s(item, "cid");
  order.courier.id.is_number = get_bool(item, "cnum");
  order.courier.name = get_s(item, "cname");
  order.received_at = Timestamp(std::chrono::microseconds(get_n(item, "rec").value_or(0)));
  if (const auto reported = get_n(item, "rep")) {
    order.reported_at = Timestamp(std::chrono::microseconds(*reported));
  }
  if (const auto* lines = attribute(item, "lines", "L")) {
    for (const auto& entry : lines->at("L").as_array()) {
      const auto& line = entry.as_object().at("M").as_object();
      order.lines.push_back({get_s(line, "pid"), get_s(line, "pname"),
                             Money::from_cents(get_n(line, "price").value_or(0)),
                             static_cast<std::int32_t>(get_n(line, "qty").value_or(1))});
    }
  }
  return order;
}

json::object user_item(const User& user) {
  return {{"p", S("u")},
          {"k", S(user.username)},
          {"hash", S(user.password_hash)},
          {"role", S(to_string(user.role))},
          {"disabled", BOOL(user.disabled)},
          {"tgen", N(user.token_generation)}};
}

User decode_user(const json::object& item) {
  User user;
  user.username = get_s(item, "k");
  user.password_hash = get_s(item, "hash");
  user.role = parse_role(get_s(item, "role")).value_or(Role::viewer);
  user.disabled = get_bool(item, "disabled");
  // Absent in items written before tokens carried a generation.
  user.token_generation = get_n(item, "tgen").value_or(0);
  return user;
}

json::object session_item(const StoredSession& session) {
  return {{"p", S("s")},
          {"k", S(session.id)},
          {"user", S(session.username)},
          {"h", S(session.refresh_hash)},
          {"ph", S(session.previous_hash)},
          {"tgen", N(session.token_generation)},
          {"keep", BOOL(session.keep_signed_in)},
          {"cre", N(session.created_at.time_since_epoch().count())},
          {"used", N(session.last_used_at.time_since_epoch().count())},
          {"exp", N(session.expires_at.time_since_epoch().count())},
          {"addr", S(session.address)},
          {"ua", S(session.user_agent)},
          {"rev", BOOL(session.revoked)}};
}

StoredSession decode_session(const json::object& item) {
  const auto time = [&item](std::string_view name) {
    return Timestamp(std::chrono::microseconds(get_n(item, name).value_or(0)));
  };
  StoredSession session;
  session.id = get_s(item, "k");
  session.username = get_s(item, "user");
  session.refresh_hash = get_s(item, "h");
  session.previous_hash = get_s(item, "ph");
  session.token_generation = get_n(item, "tgen").value_or(0);
  session.keep_signed_in = get_bool(item, "keep");
  session.created_at = time("cre");
  session.last_used_at = time("used");
  session.expires_at = time("exp");
  session.address = get_s(item, "addr");
  session.user_agent = get_s(item, "ua");
  session.revoked = get_bool(item, "rev");
  return session;
}

// An UpdateExpression built from named parts, every name and value a placeholder.
class Update {
 public:
  void add(const std::string& attribute, std::int64_t amount) {
    adds_.push_back(name(attribute) + " " + value(N(amount)));
  }
  void set(const std::string& attribute, json::object typed_value) {
    sets_.push_back(name(attribute) + " = " + value(std::move(typed_value)));
  }
  void put_into(json::object& operation) && {
    std::string expression;
    if (!sets_.empty()) expression += "SET " + join(sets_);
    if (!adds_.empty()) expression += (expression.empty() ? "ADD " : " ADD ") + join(adds_);
    operation["UpdateExpression"] = expression;
    operation["ExpressionAttributeNames"] = std::move(names_);
    operation["ExpressionAttributeValues"] = std::move(values_);
  }

 private:
  std::string name(const std::string& attribute) {
    auto placeholder = "#a" + std::to_string(names_.size());
    names_[placeholder] = attribute;
    return placeholder;
  }
  std::string value(json::object typed) {
    auto placeholder = ":v" + std::to_string(values_.size());
    values_[placeholder] = std::move(typed);
    return placeholder;
  }
  static std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& part : parts) out += (out.empty() ? "" : ", ") + part;
    return out;
  }

  std::vector<std::string> adds_;
  std::vector<std::string> sets_;
  json::object names_;
  json::object values_;
};

std::string two_digits(int value) { return padded(value, 2); }

// The counter shard's update for one order: its day's totals, flat
// attributes because ADD works only on top-level numbers.
json::object counter_update(const std::string& table, const Order& order,
                            const BusinessCalendar& calendar, int shard) {
  DayTotalsChange change;
  change.add(order, calendar);
  const auto& [day_text, day] = *change.days().begin();
  Update update;
  update.add("orders", day.orders);
  update.add("units", day.units);
  update.add("sales", day.sales.cents());
  for (const auto& [hour, totals] : day.hours) {
    update.add("h" + two_digits(hour) + "o", totals.orders);
    update.add("h" + two_digits(hour) + "s", totals.sales.cents());
  }
  for (const auto& [name, totals] : day.products) {
    update.add("pu:" + name, totals.units);
    update.add("ps:" + name, totals.sales.cents());
  }
  for (const auto& [id, totals] : day.couriers) {
    update.add("co:" + id, totals.orders);
    update.add("cu:" + id, totals.units);
    update.add("cs:" + id, totals.sales.cents());
    // The name with the sequence that wrote it: the newest wins across shards.
    update.set("cn:" + id, S(totals.courier.name));
    update.set("cb:" + id, BOOL(totals.courier.id.is_number));
    update.set("cq:" + id, N(order.sequence));
  }
  update.set("lseq", N(order.sequence));
  update.set("locc", N(order.occurred_at().time_since_epoch().count()));
  update.set("lrec", N(order.received_at.time_since_epoch().count()));
  json::object operation{{"TableName", table}, {"Key", key("c#" + day_text, padded(shard, 3))}};
  std::move(update).put_into(operation);
  return {{"Update", std::move(operation)}};
}

bool valid_prefix(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > 200) return false;
  return std::all_of(prefix.begin(), prefix.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
}

json::object must(const DynamoDbResult& result, std::string_view what) {
  if (result.kind != Kind::ok) {
    throw StoreUnavailable("DynamoDB " + std::string(what) + ": " + result.detail);
  }
  return result.body.as_object();
}

bool cancelled_on_first_condition(const DynamoDbResult& result, std::size_t item) {
  return result.kind == Kind::refused && result.error.type == "TransactionCanceledException" &&
         result.error.cancellation_codes.size() > item &&
         result.error.cancellation_codes[item] == "ConditionalCheckFailed";
}

}  // namespace

DynamoDbStore::DynamoDbStore(aws::ServiceConfig config, DynamoDbStoreOptions options,
                             const BusinessCalendar& calendar)
    : calendar_(calendar), options_(std::move(options)) {
  if (!valid_prefix(options_.table_prefix)) {
    throw std::runtime_error(
        "a DynamoDB table prefix is 1 to 200 of A-Z a-z 0-9 - _ . (dynamodb://PREFIX)");
  }
  options_.counter_shards = std::clamp(options_.counter_shards, 1, 100);
  options_.index_shards = std::clamp(options_.index_shards, 1, kMaxIndexShards);
  orders_table_ = options_.table_prefix + "-orders";
  users_table_ = options_.table_prefix + "-users";
  client_ = std::make_unique<aws::DynamoDbClient>(std::move(config), options_.client);
  for (const auto& table : {orders_table_, users_table_}) {
    const auto described = client_->call("DescribeTable", {{"TableName", table}});
    bool active = described.kind == Kind::ok &&
                  described.body.at("Table").at("TableStatus").as_string() == "ACTIVE";
    if (described.kind == Kind::refused && described.error.type == "ResourceNotFoundException") {
      if (!options_.create_tables) {
        throw StoreUnavailable("DynamoDB table " + table +
                               " does not exist, and creating tables is turned off "
                               "(create_tables=false)");
      }
      json::object request{
          {"TableName", table},
          {"AttributeDefinitions",
           json::array{json::object{{"AttributeName", "p"}, {"AttributeType", "S"}},
                       json::object{{"AttributeName", "k"}, {"AttributeType", "S"}}}},
          {"KeySchema", json::array{json::object{{"AttributeName", "p"}, {"KeyType", "HASH"}},
                                    json::object{{"AttributeName", "k"}, {"KeyType", "RANGE"}}}},
          {"BillingMode", "PAY_PER_REQUEST"}};
      const auto created = client_->call("CreateTable", request);
      // Another instance creating it at the same time is as good.
      if (created.kind != Kind::ok && created.error.type != "ResourceInUseException") {
        must(created, "CreateTable " + table);
      }
    } else if (described.kind != Kind::ok) {
      must(described, "DescribeTable " + table);
    }
    // A new table is CREATING for a few seconds on AWS (at once on DynamoDB Local).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    while (!active) {
      const auto now =
          must(client_->call("DescribeTable", {{"TableName", table}}), "DescribeTable");
      active = now.at("Table").at("TableStatus").as_string() == "ACTIVE";
      if (active) break;
      if (std::chrono::steady_clock::now() > deadline) {
        throw StoreUnavailable("DynamoDB table " + table + " did not become ACTIVE in 2 minutes");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  settle_layout();
  writer_ = std::make_unique<BatchWriter>(
      options_.batches, [this](std::vector<PendingOrder>& batch) { commit_batch(batch); });
}

void DynamoDbStore::settle_layout() {
  const auto recorded = [this]() -> std::optional<std::int64_t> {
    const auto body = must(client_->call("GetItem", {{"TableName", orders_table_},
                                                     {"Key", key("meta", "layout")},
                                                     {"ConsistentRead", true}}),
                           "GetItem");
    const auto* item = body.if_contains("Item");
    if (item == nullptr) return std::nullopt;
    return get_n(item->as_object(), "shards");
  };
  auto shards = recorded();
  if (!shards) {
    // Tables that drew sequence values before layouts were recorded hold an
    // unsharded index and log; new ones take the configured layout. The
    // first instance to record it decides for every other.
    const std::int64_t chosen = drawn_sequence() > 0 ? 1 : options_.index_shards;
    json::object item = key("meta", "layout");
    item["shards"] = N(chosen);
    const auto put = client_->call("PutItem", {{"TableName", orders_table_},
                                               {"Item", std::move(item)},
                                               {"ConditionExpression", "attribute_not_exists(#p)"},
                                               {"ExpressionAttributeNames", {{"#p", "p"}}}});
    if (put.kind == Kind::ok) {
      shards = chosen;
    } else if (put.kind == Kind::refused && put.error.type == "ConditionalCheckFailedException") {
      shards = recorded();
    } else {
      must(put, "PutItem layout");
    }
  }
  if (!shards || *shards < 1 || *shards > kMaxIndexShards) {
    throw StoreUnavailable("DynamoDB table " + orders_table_ +
                           " records a layout this version cannot read (meta/layout)");
  }
  index_shards_ = static_cast<int>(*shards);
}

// Unsharded tables (one partition) keep the names they were written with.
std::string DynamoDbStore::index_partition(const std::string& day, std::int64_t shard) const {
  if (index_shards_ == 1) return "d#" + day;
  return "d#" + day + "#" + std::to_string(shard);
}

std::string DynamoDbStore::log_partition(std::int64_t sequence) const {
  return log_partition(sequence >> kLogBucketBits, sequence % index_shards_);
}

std::string DynamoDbStore::log_partition(std::int64_t bucket, std::int64_t shard) const {
  if (index_shards_ == 1) return "s#" + std::to_string(bucket);
  return "s#" + std::to_string(bucket) + "#" + std::to_string(shard);
}

DynamoDbStore::~DynamoDbStore() { writer_.reset(); }

void DynamoDbStore::register_order(Order order, RegisterDone done) {
  writer_->submit(std::move(order), std::move(done));
}

void DynamoDbStore::commit_batch(std::vector<PendingOrder>& batch) {
  // Duplicates in one batch share the first one's transaction.
  std::vector<std::size_t> leaders;
  std::vector<std::vector<std::size_t>> followers(batch.size());
  std::unordered_map<std::string_view, std::size_t> leader_of;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto [found, inserted] = leader_of.emplace(batch[i].order.order_id, i);
    if (inserted) {
      leaders.push_back(i);
    } else {
      followers[found->second].push_back(i);
    }
  }

  // One counter update draws the batch's block of sequence values.
  json::object draw{
      {"TableName", orders_table_},
      {"Key", key("meta", "sequence")},
      {"UpdateExpression", "ADD #n :count"},
      {"ExpressionAttributeNames", {{"#n", "n"}}},
      {"ExpressionAttributeValues", {{":count", N(static_cast<std::int64_t>(leaders.size()))}}},
      {"ReturnValues", "UPDATED_NEW"}};
  const auto drawn = client_->call("UpdateItem", draw);
  std::optional<std::int64_t> last;
  if (drawn.kind == Kind::ok) {
    if (const auto* attributes = drawn.body.as_object().if_contains("Attributes")) {
      last = get_n(attributes->as_object(), "n");
    }
  }
  if (!last) {
    spdlog::warn("DynamoDB store: no sequence values for {} orders: {}", batch.size(),
                 drawn.detail);
    for (auto& pending : batch) pending.done(RegisterResult{RegisterStatus::unavailable, {}});
    return;
  }
  const std::int64_t first = *last - static_cast<std::int64_t>(leaders.size()) + 1;
  for (std::size_t n = 0; n < leaders.size(); ++n) {
    batch[leaders[n]].order.sequence = first + static_cast<std::int64_t>(n);
  }

  // Up to counter_shards transactions in flight; consecutive sequences put
  // them on distinct counter shards. Each answer starts the next order.
  std::mutex mutex;
  std::condition_variable all_done;
  std::size_t next = 0;
  std::size_t finished = 0;

  std::function<void(std::size_t)> start;
  const auto finish = [&](std::size_t leader, const RegisterResult& result) {
    if (result.status != RegisterStatus::stored) write_void(batch[leader].order.sequence);
    batch[leader].done(result);
    for (const auto i : followers[leader]) {
      RegisterResult answer{RegisterStatus::unavailable, {}};
      if (result.status != RegisterStatus::unavailable) {
        answer.order = result.order;
        answer.status = batch[i].order.same_content(result.order) ? RegisterStatus::already_stored
                                                                  : RegisterStatus::conflict;
      }
      batch[i].done(std::move(answer));
    }
    std::optional<std::size_t> following;
    {
      const std::lock_guard lock(mutex);
      ++finished;
      if (next < leaders.size()) following = leaders[next++];
      if (finished == leaders.size()) all_done.notify_one();
    }
    if (following) start(*following);
  };

  start = [&](std::size_t leader) {
    const auto& order = batch[leader].order;
    const auto hash = content_hash(order);
    const auto day = format_business_day(calendar_.day_of(order.occurred_at()));
    const int shard = static_cast<int>(order.sequence % options_.counter_shards);
    auto attributes = order_attributes(order, hash);

    auto order_item = attributes;
    order_item["p"] = S("o#" + order.order_id);
    order_item["k"] = S("o");
    order_item["day"] = S(day);
    auto index_item = attributes;
    index_item["p"] = S(index_partition(day, order.sequence % index_shards_));
    index_item["k"] = S(time_key(order.occurred_at(), order.sequence));
    auto log_item = std::move(attributes);
    log_item["p"] = S(log_partition(order.sequence));
    log_item["k"] = S(padded(order.sequence, kSequenceDigits));

    json::array items;
    items.push_back(json::object{{"Put",
                                  {{"TableName", orders_table_},
                                   {"Item", std::move(order_item)},
                                   {"ConditionExpression", "attribute_not_exists(#p)"},
                                   {"ExpressionAttributeNames", {{"#p", "p"}}}}}});
    items.push_back(
        json::object{{"Put", {{"TableName", orders_table_}, {"Item", std::move(index_item)}}}});
    items.push_back(
        json::object{{"Put", {{"TableName", orders_table_}, {"Item", std::move(log_item)}}}});
    items.push_back(json::object{
        {"Put", {{"TableName", orders_table_}, {"Item", key("days#" + padded(shard, 3), day)}}}});
    items.push_back(counter_update(orders_table_, order, calendar_, shard));

    client_->call_async(
        "TransactWriteItems", {{"TransactItems", std::move(items)}},
        [this, &batch, &finish, leader, hash](DynamoDbResult result) {
          const auto& order = batch[leader].order;
          if (result.kind == Kind::ok) {
            finish(leader, RegisterResult{RegisterStatus::stored, order});
            return;
          }
          if (!cancelled_on_first_condition(result, 0)) {
            spdlog::warn("DynamoDB store: order not stored: {}", result.detail);
            finish(leader, RegisterResult{RegisterStatus::unavailable, {}});
            return;
          }
          // Stored before: its content hash says replay or conflict.
          client_->call_async(
              "GetItem",
              {{"TableName", orders_table_},
               {"Key", key("o#" + order.order_id, "o")},
               {"ConsistentRead", true}},
              [&finish, leader, hash](DynamoDbResult read) {
                const json::object* item = nullptr;
                if (read.kind == Kind::ok) {
                  if (const auto* found = read.body.as_object().if_contains("Item")) {
                    item = &found->as_object();
                  }
                }
                if (item == nullptr) {
                  finish(leader, RegisterResult{RegisterStatus::unavailable, {}});
                  return;
                }
                const auto stored = decode_order(*item);
                finish(leader,
                       RegisterResult{get_s(*item, "h") == hash ? RegisterStatus::already_stored
                                                                : RegisterStatus::conflict,
                                      stored});
              });
        });
  };

  std::vector<std::size_t> first_wave;
  {
    const std::lock_guard lock(mutex);
    while (next < leaders.size() && next < static_cast<std::size_t>(options_.counter_shards)) {
      first_wave.push_back(leaders[next++]);
    }
  }
  for (const auto leader : first_wave) start(leader);
  std::unique_lock lock(mutex);
  all_done.wait(lock, [&] { return finished == leaders.size(); });
}

std::optional<Order> DynamoDbStore::find_order(const std::string& order_id) {
  const auto body = must(client_->call("GetItem", {{"TableName", orders_table_},
                                                   {"Key", key("o#" + order_id, "o")},
                                                   {"ConsistentRead", true}}),
                         "GetItem");
  const auto* item = body.if_contains("Item");
  if (item == nullptr) return std::nullopt;
  return decode_order(item->as_object());
}

OrderPage DynamoDbStore::list_orders(const OrderQuery& query) {
  const std::size_t limit = std::max<std::size_t>(query.limit, 1);
  // The days to read, newest first.
  std::vector<std::string> days;
  if (query.day) {
    days.push_back(format_business_day(*query.day));
  } else {
    std::set<std::string> known;
    for (int shard = 0; shard < options_.counter_shards; ++shard) {
      json::object request{{"TableName", orders_table_},
                           {"KeyConditionExpression", "#p = :p"},
                           {"ExpressionAttributeNames", {{"#p", "p"}}},
                           {"ExpressionAttributeValues", {{":p", S("days#" + padded(shard, 3))}}},
                           {"ConsistentRead", true}};
      while (true) {
        const auto body = must(client_->call("Query", request), "Query");
        for (const auto& item : body.at("Items").as_array()) {
          known.insert(get_s(item.as_object(), "k"));
        }
        const auto* more = body.if_contains("LastEvaluatedKey");
        if (more == nullptr) break;
        request["ExclusiveStartKey"] = *more;
      }
    }
    days.assign(known.rbegin(), known.rend());
  }
  const auto day_text = [&](Timestamp t) { return format_business_day(calendar_.day_of(t)); };
  std::optional<std::string> newest;
  std::optional<std::string> oldest;
  if (query.from) oldest = day_text(*query.from);
  if (query.until) newest = day_text(*query.until - std::chrono::microseconds(1));
  if (query.after) {
    const auto cursor_day = day_text(query.after->occurred_at);
    if (!newest || cursor_day < *newest) newest = cursor_day;
  }
  std::string below = "~";  // above every time key
  if (query.until) below = std::min(below, time_key(*query.until, 0));
  if (query.after)
    below = std::min(below, time_key(query.after->occurred_at, query.after->sequence));
  const std::string lowest = query.from ? time_key(*query.from, 0) : std::string();

  OrderPage page;
  int queries = 0;
  // At least two Query calls per partition, so that a page always reads
  // every partition of its first day (and so makes progress).
  const int budget = std::max(options_.max_listing_queries, 2 * index_shards_);
  std::optional<OrderCursor> stopped_at;  // where the budget ran out
  // One partition of a day's index, read newest first, a query at a time.
  struct Partition {
    json::object request;
    std::deque<json::object> unread;  // returned, not yet taken; newest first
    bool read = false;                // queried at least once
    bool exhausted = false;           // nothing left below what was returned
    std::string evaluated;            // the last key a query evaluated: the rest is below it
  };
  for (const auto& day : days) {
    if ((newest && day > *newest) || (oldest && day < *oldest)) continue;
    std::vector<Partition> partitions(static_cast<std::size_t>(index_shards_));
    for (std::size_t shard = 0; shard < partitions.size(); ++shard) {
      json::object request{{"TableName", orders_table_},
                           {"KeyConditionExpression", "#p = :p AND #k < :below"},
                           {"ScanIndexForward", false},
                           {"ConsistentRead", true}};
      json::object names{{"#p", "p"}, {"#k", "k"}};
      json::object values{{":p", S(index_partition(day, static_cast<std::int64_t>(shard)))},
                          {":below", S(below)}};
      if (query.courier_id) {
        request["FilterExpression"] = "#cid = :cid";
        names["#cid"] = "cid";
        values[":cid"] = S(*query.courier_id);
      }
      request["ExpressionAttributeNames"] = std::move(names);
      request["ExpressionAttributeValues"] = std::move(values);
      partitions[shard].request = std::move(request);
    }
    // Merge: the newest unread order of all partitions is taken once no
    // partition may still hold a newer one (one not read yet, or whose
    // last evaluated key is above it).
    while (page.orders.size() <= limit) {
      Partition* newest_unread = nullptr;
      for (auto& part : partitions) {
        if (!part.unread.empty() &&
            (newest_unread == nullptr ||
             get_s(part.unread.front(), "k") > get_s(newest_unread->unread.front(), "k"))) {
          newest_unread = &part;
        }
      }
      const std::string front =
          newest_unread != nullptr ? get_s(newest_unread->unread.front(), "k") : std::string();
      Partition* to_read = nullptr;
      for (auto& part : partitions) {
        if (part.unread.empty() && !part.exhausted &&
            (!part.read || newest_unread == nullptr || part.evaluated > front)) {
          to_read = &part;
          break;
        }
      }
      if (to_read == nullptr) {
        if (newest_unread == nullptr || front < lowest) break;  // the day is done
        page.orders.push_back(decode_order(newest_unread->unread.front()));
        newest_unread->unread.pop_front();
        continue;
      }
      if (queries >= budget) {
        // Everything above the highest last-evaluated key of the partitions
        // still to read has been taken, and nothing below it: resume there.
        // (A partition of a later day not read at all: resume at that day.)
        std::string resume;
        bool unread_partition = false;
        for (const auto& part : partitions) {
          if (!part.unread.empty() || part.exhausted) continue;
          if (!part.read) unread_partition = true;
          if (part.read && part.evaluated > resume) resume = part.evaluated;
        }
        // (The day's last instant, above every sequence: the whole day.)
        const auto next_day = std::chrono::year_month_day(
            std::chrono::sys_days(*parse_business_day(day)) + std::chrono::days(1));
        stopped_at = unread_partition
                         ? OrderCursor{calendar_.start_of(next_day) - std::chrono::microseconds(1),
                                       std::numeric_limits<std::int64_t>::max()}
                         : cursor_of_time_key(resume);
        break;
      }
      // Consecutive sequences go to consecutive partitions, so each holds
      // about its share of the newest orders: twice that is read at once.
      const std::size_t share =
          (limit + 1 - page.orders.size() + partitions.size() - 1) / partitions.size();
      to_read->request["Limit"] = static_cast<std::int64_t>(
          query.courier_id ? std::clamp(options_.filtered_query_limit, 1, 1000)
                           : std::min<std::size_t>(2 * share + 1, 1000));
      const auto body = must(client_->call("Query", to_read->request), "Query");
      ++queries;
      to_read->read = true;
      for (const auto& entry : body.at("Items").as_array()) {
        to_read->unread.push_back(entry.as_object());
      }
      const auto* more = body.if_contains("LastEvaluatedKey");
      if (more == nullptr) {
        to_read->exhausted = true;
      } else {
        to_read->request["ExclusiveStartKey"] = *more;
        to_read->evaluated = get_s(more->as_object(), "k");
      }
    }
    if (page.orders.size() > limit || stopped_at) break;
  }
  if (page.orders.size() > limit) {
    page.orders.resize(limit);
    page.next = OrderCursor{page.orders.back().occurred_at(), page.orders.back().sequence};
  } else if (stopped_at) {
    page.next = stopped_at;
  }
  return page;
}

std::int64_t DynamoDbStore::drawn_sequence() {
  const auto counter = must(client_->call("GetItem", {{"TableName", orders_table_},
                                                      {"Key", key("meta", "sequence")},
                                                      {"ConsistentRead", true}}),
                            "GetItem");
  const auto* item = counter.if_contains("Item");
  return item != nullptr ? get_n(item->as_object(), "n").value_or(0) : 0;
}

std::vector<LogEntry> DynamoDbStore::log_after(std::int64_t after, std::size_t limit) {
  std::vector<LogEntry> entries;
  if (limit == 0) return entries;
  after = std::max<std::int64_t>(after, 0);
  const std::int64_t drawn = drawn_sequence();
  if (after >= drawn) return entries;  // nothing drawn since: an idle poll is one read
  for (std::int64_t bucket = (after + 1) >> kLogBucketBits;
       bucket <= (drawn >> kLogBucketBits) && entries.size() < limit; ++bucket) {
    // The first `wanted` values of each partition of the bucket hold the
    // first `wanted` of the bucket, whichever partitions they are in.
    const std::size_t wanted = limit - entries.size();
    std::vector<LogEntry> bucket_entries;
    for (std::int64_t shard = 0; shard < index_shards_; ++shard) {
      json::object request{{"TableName", orders_table_},
                           {"KeyConditionExpression", "#p = :p AND #k > :after"},
                           {"ExpressionAttributeNames", {{"#p", "p"}, {"#k", "k"}}},
                           {"ExpressionAttributeValues",
                            {{":p", S(log_partition(bucket, shard))},
                             {":after", S(padded(after, kSequenceDigits))}}},
                           {"ConsistentRead", true}};
      std::size_t got = 0;
      while (got < wanted) {
        request["Limit"] = static_cast<std::int64_t>(std::min<std::size_t>(wanted - got, 1000));
        const auto body = must(client_->call("Query", request), "Query");
        for (const auto& entry : body.at("Items").as_array()) {
          const auto& item = entry.as_object();
          LogEntry logged;
          logged.sequence = to_int(get_s(item, "k"));
          if (!get_bool(item, "void")) logged.order = decode_order(item);
          bucket_entries.push_back(std::move(logged));
          ++got;
        }
        const auto* more = body.if_contains("LastEvaluatedKey");
        if (more == nullptr) break;
        request["ExclusiveStartKey"] = *more;
      }
    }
    std::sort(bucket_entries.begin(), bucket_entries.end(),
              [](const LogEntry& a, const LogEntry& b) { return a.sequence < b.sequence; });
    if (bucket_entries.size() > wanted) bucket_entries.resize(wanted);
    for (auto& entry : bucket_entries) entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<Order> DynamoDbStore::orders_after(std::int64_t after, std::size_t limit) {
  // Void entries are skipped: a page may take a few reads more than one.
  std::vector<Order> orders;
  while (orders.size() < limit) {
    const auto wanted = limit - orders.size();
    const auto entries = log_after(after, wanted);
    for (const auto& entry : entries) {
      if (entry.order) orders.push_back(*entry.order);
      after = entry.sequence;
    }
    if (entries.size() < wanted) break;
  }
  return orders;
}

std::unique_ptr<LiveSubscription> DynamoDbStore::subscribe(Publish publish) {
  return std::make_unique<DynamoDbRelay>(*this, std::move(publish), options_.relay);
}

void DynamoDbStore::write_void(std::int64_t sequence) {
  // Never over an order's own entry; the relay passes the value once it sees this.
  json::object item = key(log_partition(sequence), padded(sequence, kSequenceDigits));
  item["void"] = BOOL(true);
  client_->call_async("PutItem",
                      {{"TableName", orders_table_},
                       {"Item", std::move(item)},
                       {"ConditionExpression", "attribute_not_exists(#p)"},
                       {"ExpressionAttributeNames", {{"#p", "p"}}}},
                      [](const DynamoDbResult&) {});
}

DayMetrics DynamoDbStore::day_metrics(BusinessDay day) {
  DayMetrics metrics;
  metrics.day = day;
  std::map<std::string, ProductTotals> products;
  std::map<std::string, CourierTotals> couriers;
  std::map<std::string, std::int64_t> courier_name_sequence;
  json::object request{{"TableName", orders_table_},
                       {"KeyConditionExpression", "#p = :p"},
                       {"ExpressionAttributeNames", {{"#p", "p"}}},
                       {"ExpressionAttributeValues", {{":p", S("c#" + format_business_day(day))}}},
                       {"ConsistentRead", true}};
  // At most counter_shards items: the cost does not grow with the day's orders.
  while (true) {
    const auto body = must(client_->call("Query", request), "Query");
    for (const auto& entry : body.at("Items").as_array()) {
      const auto& item = entry.as_object();
      for (const auto& attribute_entry : item) {
        const std::string_view name = attribute_entry.key();
        const auto number = [&] { return get_n(item, name).value_or(0); };
        if (name == "orders") {
          metrics.orders += number();
        } else if (name == "units") {
          metrics.units += number();
        } else if (name == "sales") {
          metrics.sales += Money::from_cents(number());
        } else if (name.size() == 4 && name[0] == 'h') {
          const auto hour = static_cast<std::size_t>(to_int(name.substr(1, 2)));
          if (hour >= metrics.hours.size()) continue;
          if (name[3] == 'o') metrics.hours[hour].orders += number();
          if (name[3] == 's') metrics.hours[hour].sales += Money::from_cents(number());
        } else if (name.starts_with("pu:") || name.starts_with("ps:")) {
          auto& product = products[std::string(name.substr(3))];
          product.name = std::string(name.substr(3));
          if (name[1] == 'u') product.units += number();
          if (name[1] == 's') product.sales += Money::from_cents(number());
        } else if (name.size() > 3 && name[0] == 'c' && name[2] == ':') {
          const std::string id(name.substr(3));
          auto& courier = couriers[id];
          courier.courier.id.text = id;
          if (name[1] == 'o') courier.orders += number();
          if (name[1] == 'u') courier.units += number();
          if (name[1] == 's') courier.sales += Money::from_cents(number());
          if (name[1] == 'q') {
            const auto sequence = number();
            auto& best = courier_name_sequence[id];
            if (sequence >= best) {
              best = sequence;
              courier.courier.name = get_s(item, "cn:" + id);
              courier.courier.id.is_number = get_bool(item, "cb:" + id);
            }
          }
        }
      }
      if (const auto sequence = get_n(item, "lseq");
          sequence && (!metrics.last_order || *sequence > metrics.last_order->sequence)) {
        metrics.last_order = LastOrder{
            *sequence, Timestamp(std::chrono::microseconds(get_n(item, "locc").value_or(0))),
            Timestamp(std::chrono::microseconds(get_n(item, "lrec").value_or(0)))};
      }
    }
    const auto* more = body.if_contains("LastEvaluatedKey");
    if (more == nullptr) break;
    request["ExclusiveStartKey"] = *more;
  }
  for (auto& [name, totals] : products) metrics.products.push_back(std::move(totals));
  for (auto& [id, totals] : couriers) metrics.couriers.push_back(std::move(totals));
  metrics.rank();
  return metrics;
}

bool DynamoDbStore::ready() {
  return client_->call("GetItem", {{"TableName", orders_table_}, {"Key", key("meta", "sequence")}})
             .kind == Kind::ok;
}

std::optional<User> DynamoDbStore::find_user(const std::string& username) {
  const auto body = must(client_->call("GetItem", {{"TableName", users_table_},
                                                   {"Key", key("u", username)},
                                                   {"ConsistentRead", true}}),
                         "GetItem");
  const auto* item = body.if_contains("Item");
  if (item == nullptr) return std::nullopt;
  return decode_user(item->as_object());
}

std::vector<User> DynamoDbStore::list_users() {
  std::vector<User> users;
  json::object request{{"TableName", users_table_},
                       {"KeyConditionExpression", "#p = :p"},
                       {"ExpressionAttributeNames", {{"#p", "p"}}},
                       {"ExpressionAttributeValues", {{":p", S("u")}}},
                       {"ConsistentRead", true}};
  while (true) {
    const auto body = must(client_->call("Query", request), "Query");
    for (const auto& item : body.at("Items").as_array()) {
      users.push_back(decode_user(item.as_object()));
    }
    const auto* more = body.if_contains("LastEvaluatedKey");
    if (more == nullptr) break;
    request["ExclusiveStartKey"] = *more;
  }
  return users;
}

std::size_t DynamoDbStore::count_users() {
  std::size_t count = 0;
  json::object request{{"TableName", users_table_},
                       {"KeyConditionExpression", "#p = :p"},
                       {"ExpressionAttributeNames", {{"#p", "p"}}},
                       {"ExpressionAttributeValues", {{":p", S("u")}}},
                       {"Select", "COUNT"},
                       {"ConsistentRead", true}};
  while (true) {
    const auto body = must(client_->call("Query", request), "Query");
    count += static_cast<std::size_t>(body.at("Count").to_number<std::int64_t>());
    const auto* more = body.if_contains("LastEvaluatedKey");
    if (more == nullptr) break;
    request["ExclusiveStartKey"] = *more;
  }
  return count;
}

namespace {

// The enabled admins' count moves with the user, in the same transaction.
json::object admins_change(const std::string& table, int delta) {
  json::object operation{{"TableName", table},
                         {"Key", key("meta", "admins")},
                         {"UpdateExpression", "ADD #n :delta"},
                         {"ExpressionAttributeNames", {{"#n", "n"}}}};
  json::object values{{":delta", N(delta)}};
  if (delta < 0) {
    // The last enabled admin stays: decided by DynamoDB, atomically.
    operation["ConditionExpression"] = "#n > :one";
    values[":one"] = N(1);
  }
  operation["ExpressionAttributeValues"] = std::move(values);
  return {{"Update", std::move(operation)}};
}

}  // namespace

UserChange DynamoDbStore::create_user(const User& user) {
  json::array items;
  items.push_back(json::object{{"Put",
                                {{"TableName", users_table_},
                                 {"Item", user_item(user)},
                                 {"ConditionExpression", "attribute_not_exists(#k)"},
                                 {"ExpressionAttributeNames", {{"#k", "k"}}}}}});
  if (is_enabled_admin(user)) items.push_back(admins_change(users_table_, +1));
  const auto result = client_->call("TransactWriteItems", {{"TransactItems", std::move(items)}});
  if (result.kind == Kind::ok) return UserChange::done;
  if (cancelled_on_first_condition(result, 0)) return UserChange::already_exists;
  must(result, "TransactWriteItems");
  return UserChange::done;  // not reached: must() threw
}

UserChange DynamoDbStore::update_user(const User& user) {
  for (int round = 0; round < kMaxUserChangeRounds; ++round) {
    const auto current = find_user(user.username);
    if (!current) return UserChange::not_found;
    // Written only if the user is still as read; else read again.
    json::array items;
    items.push_back(
        json::object{{"Put",
                      {{"TableName", users_table_},
                       {"Item", user_item(user)},
                       {"ConditionExpression", "#r = :r AND #d = :d"},
                       {"ExpressionAttributeNames", {{"#r", "role"}, {"#d", "disabled"}}},
                       {"ExpressionAttributeValues",
                        {{":r", S(to_string(current->role))}, {":d", BOOL(current->disabled)}}}}}});
    const int delta =
        static_cast<int>(is_enabled_admin(user)) - static_cast<int>(is_enabled_admin(*current));
    if (delta != 0) items.push_back(admins_change(users_table_, delta));
    const auto result = client_->call("TransactWriteItems", {{"TransactItems", std::move(items)}});
    if (result.kind == Kind::ok) return UserChange::done;
    if (cancelled_on_first_condition(result, 0)) continue;  // changed meanwhile
    if (delta < 0 && cancelled_on_first_condition(result, 1)) return UserChange::last_enabled_admin;
    must(result, "TransactWriteItems");
  }
  throw StoreUnavailable("DynamoDB: user " + user.username + " kept changing under the update");
}

void DynamoDbStore::create_session(const StoredSession& session) {
  must(client_->call("PutItem", {{"TableName", users_table_}, {"Item", session_item(session)}}),
       "PutItem session");
}

std::optional<StoredSession> DynamoDbStore::find_session(const std::string& id) {
  const auto body = must(
      client_->call("GetItem",
                    {{"TableName", users_table_}, {"Key", key("s", id)}, {"ConsistentRead", true}}),
      "GetItem session");
  const auto* item = body.if_contains("Item");
  if (item == nullptr) return std::nullopt;
  return decode_session(item->as_object());
}

RotationOutcome DynamoDbStore::rotate_session(const SessionRotation& rotation) {
  for (int round = 0; round < kMaxUserChangeRounds; ++round) {
    auto session = find_session(rotation.id);
    if (!session) return RotationOutcome::gone;
    const auto outcome = decide_rotation(*session, rotation);
    if (outcome == RotationOutcome::gone) return outcome;
    json::object update{{"TableName", users_table_}, {"Key", key("s", rotation.id)}};
    if (outcome == RotationOutcome::reused) {
      update["UpdateExpression"] = "SET #rev = :t";
      update["ExpressionAttributeNames"] = {{"#rev", "rev"}};
      update["ExpressionAttributeValues"] = {{":t", BOOL(true)}};
      must(client_->call("UpdateItem", update), "UpdateItem session");
      return outcome;
    }
    const auto seen_hash = session->refresh_hash;
    apply_rotation(*session, rotation);
    // Written only if no other renewal or revocation came first (the
    // current secret and the revoked flag are still as read); else read
    // again, and the secret presented is then judged against the new one.
    update["UpdateExpression"] =
        "SET #h = :h, #ph = :ph, #used = :used, #exp = :exp, #addr = :addr";
    update["ConditionExpression"] = "#h = :seen AND #rev = :f";
    update["ExpressionAttributeNames"] = {{"#h", "h"},     {"#ph", "ph"},     {"#used", "used"},
                                          {"#exp", "exp"}, {"#addr", "addr"}, {"#rev", "rev"}};
    update["ExpressionAttributeValues"] = {
        {":h", S(session->refresh_hash)},
        {":ph", S(session->previous_hash)},
        {":used", N(session->last_used_at.time_since_epoch().count())},
        {":exp", N(session->expires_at.time_since_epoch().count())},
        {":addr", S(session->address)},
        {":seen", S(seen_hash)},
        {":f", BOOL(false)}};
    const auto result = client_->call("UpdateItem", update);
    if (result.kind == Kind::ok) return RotationOutcome::rotated;
    if (result.kind == Kind::refused && result.error.type == "ConditionalCheckFailedException") {
      continue;  // changed meanwhile
    }
    must(result, "UpdateItem session");
  }
  throw StoreUnavailable("DynamoDB: session " + rotation.id + " kept changing under the renewal");
}

std::vector<StoredSession> DynamoDbStore::list_sessions(const std::string& username, Timestamp now,
                                                        std::size_t limit) {
  // One partition holds every session; there are as many as screens and
  // browsers signed in (expired ones are pruned), read in pages.
  std::vector<StoredSession> sessions;
  json::object request{
      {"TableName", users_table_},
      {"KeyConditionExpression", "#p = :p"},
      {"FilterExpression", "#rev = :f AND #exp > :now"},
      {"ExpressionAttributeNames", {{"#p", "p"}, {"#rev", "rev"}, {"#exp", "exp"}}},
      {"ExpressionAttributeValues",
       {{":p", S("s")}, {":f", BOOL(false)}, {":now", N(now.time_since_epoch().count())}}},
      {"ConsistentRead", true}};
  while (true) {
    const auto body = must(client_->call("Query", request), "Query sessions");
    for (const auto& item : body.at("Items").as_array()) {
      sessions.push_back(decode_session(item.as_object()));
    }
    const auto* more = body.if_contains("LastEvaluatedKey");
    if (more == nullptr) break;
    request["ExclusiveStartKey"] = *more;
  }
  return listed_sessions(std::move(sessions), username, now, limit);
}

bool DynamoDbStore::revoke_session(const std::string& id, Timestamp now) {
  const auto result = client_->call(
      "UpdateItem",
      {{"TableName", users_table_},
       {"Key", key("s", id)},
       {"UpdateExpression", "SET #rev = :t"},
       {"ConditionExpression", "attribute_exists(#k) AND #rev = :f AND #exp > :now"},
       {"ExpressionAttributeNames", {{"#rev", "rev"}, {"#k", "k"}, {"#exp", "exp"}}},
       {"ExpressionAttributeValues",
        {{":t", BOOL(true)}, {":f", BOOL(false)}, {":now", N(now.time_since_epoch().count())}}}});
  if (result.kind == Kind::ok) return true;
  if (result.kind == Kind::refused && result.error.type == "ConditionalCheckFailedException") {
    return false;
  }
  must(result, "UpdateItem session");
  return false;  // not reached: must() threw
}

std::size_t DynamoDbStore::prune_sessions(Timestamp now, std::size_t limit) {
  json::object request{
      {"TableName", users_table_},
      {"KeyConditionExpression", "#p = :p"},
      {"FilterExpression", "#exp <= :now"},
      {"ExpressionAttributeNames", {{"#p", "p"}, {"#exp", "exp"}}},
      {"ExpressionAttributeValues", {{":p", S("s")}, {":now", N(now.time_since_epoch().count())}}},
      {"ProjectionExpression", "#p, k"}};
  std::vector<std::string> expired;
  while (expired.size() < limit) {
    const auto body = must(client_->call("Query", request), "Query sessions");
    for (const auto& item : body.at("Items").as_array()) {
      if (expired.size() < limit) expired.push_back(get_s(item.as_object(), "k"));
    }
    const auto* more = body.if_contains("LastEvaluatedKey");
    if (more == nullptr) break;
    request["ExclusiveStartKey"] = *more;
  }
  for (const auto& id : expired) {
    must(client_->call("DeleteItem", {{"TableName", users_table_}, {"Key", key("s", id)}}),
         "DeleteItem session");
  }
  return expired.size();
}

namespace {

// The audit trail's month partition of a time: UTC "YYYY-MM".
std::string audit_month(Timestamp at) {
  const std::chrono::year_month_day day(std::chrono::floor<std::chrono::days>(at));
  return padded(static_cast<int>(day.year()), 4) + "-" +
         padded(static_cast<int>(static_cast<unsigned>(day.month())), 2);
}

// The first instant of a "YYYY-MM".
Timestamp audit_month_start(std::string_view month) {
  const std::chrono::year_month_day day{
      std::chrono::year(static_cast<int>(to_int(month.substr(0, 4)))),
      std::chrono::month(static_cast<unsigned>(to_int(month.substr(5, 2)))), std::chrono::day(1)};
  return Timestamp(std::chrono::sys_days(day));
}

// The first instant after a "YYYY-MM".
Timestamp audit_month_end(std::string_view month) {
  const std::chrono::year_month_day start(
      std::chrono::floor<std::chrono::days>(audit_month_start(month)));
  return Timestamp(std::chrono::sys_days(start + std::chrono::months(1)));
}

std::string audit_time_key(Timestamp at) {
  return padded(at.time_since_epoch().count() + kTimeOffset, kTimeDigits);
}

AuditCursor audit_cursor_of_key(std::string_view key) {
  if (key.size() < kTimeDigits + 1) throw StoreUnavailable("DynamoDB holds a malformed audit key");
  return {Timestamp(std::chrono::microseconds(to_int(key.substr(0, kTimeDigits)) - kTimeOffset)),
          std::string(key.substr(kTimeDigits + 1))};
}

AuditEntry decode_audit(const json::object& item) {
  const auto cursor = audit_cursor_of_key(get_s(item, "k"));
  return {cursor.id,
          cursor.at,
          get_s(item, "act"),
          get_s(item, "who"),
          get_s(item, "addr"),
          get_s(item, "subj"),
          decode_audit_detail(get_s(item, "det"))};
}

}  // namespace

void DynamoDbStore::note_audit_month(const std::string& month) {
  {
    const std::lock_guard lock(audit_month_mutex_);
    if (noted_audit_month_ == month) return;
  }
  // Written before the entry, so a listing that reads the registry finds
  // every month that holds one.
  must(client_->call("PutItem",
                     {{"TableName", users_table_}, {"Item", {{"p", S("am")}, {"k", S(month)}}}}),
       "PutItem");
  const std::lock_guard lock(audit_month_mutex_);
  noted_audit_month_ = month;
}

std::vector<std::string> DynamoDbStore::audit_months() {
  std::vector<std::string> months;
  json::object request{{"TableName", users_table_},
                       {"KeyConditionExpression", "#p = :p"},
                       {"ExpressionAttributeNames", {{"#p", "p"}}},
                       {"ExpressionAttributeValues", {{":p", S("am")}}},
                       {"ScanIndexForward", false},
                       {"ConsistentRead", true}};
  while (true) {
    const auto body = must(client_->call("Query", request), "Query");
    for (const auto& item : body.at("Items").as_array()) {
      months.push_back(get_s(item.as_object(), "k"));
    }
    const auto* more = body.if_contains("LastEvaluatedKey");
    if (more == nullptr) break;
    request["ExclusiveStartKey"] = *more;
  }
  return months;
}

void DynamoDbStore::append_audit(const AuditEntry& entry) {
  const auto month = audit_month(entry.at);
  note_audit_month(month);
  json::object item{{"p", S("a#" + month)},
                    {"k", S(audit_time_key(entry.at) + "#" + entry.id)},
                    {"act", S(entry.action)},
                    {"who", S(entry.actor)},
                    {"addr", S(entry.address)},
                    {"subj", S(entry.subject)},
                    {"det", S(encode_audit_detail(entry.detail))}};
  // The same key is the same entry: writing it again changes nothing.
  must(client_->call("PutItem", {{"TableName", users_table_}, {"Item", std::move(item)}}),
       "PutItem");
}

AuditPage DynamoDbStore::list_audit(const AuditQuery& query) {
  AuditPage page;
  if (query.limit == 0) return page;
  // Keys below `upper` (exclusive) and from `lower` (inclusive) qualify.
  std::string upper = "~";  // past every digit
  if (query.until) upper = audit_time_key(*query.until);
  if (query.after) {
    auto after = audit_time_key(query.after->at) + "#" + query.after->id;
    if (after < upper) upper = std::move(after);
  }
  const std::string lower = query.from ? audit_time_key(*query.from) : std::string("0");
  if (lower >= upper) return page;
  const auto newest_month =
      query.until ? std::optional(audit_month(*query.until - std::chrono::microseconds(1)))
                  : std::nullopt;
  const auto oldest_month = query.from ? std::optional(audit_month(*query.from)) : std::nullopt;
  const auto cursor_month =
      query.after ? std::optional(audit_month(query.after->at)) : std::nullopt;

  int queries = 1;  // the registry's
  for (const auto& month : audit_months()) {
    if (newest_month && month > *newest_month) continue;
    if (cursor_month && month > *cursor_month) continue;
    if (oldest_month && month < *oldest_month) break;
    json::object names{{"#p", "p"}, {"#k", "k"}};
    json::object values{{":p", S("a#" + month)}, {":hi", S(upper)}, {":lo", S(lower)}};
    std::string filter;
    if (query.action) {
      names["#act"] = "act";
      values[":act"] = S(*query.action);
      filter = "#act = :act";
    }
    if (query.actor) {
      names["#who"] = "who";
      values[":who"] = S(*query.actor);
      filter += (filter.empty() ? "" : " AND ") + std::string("#who = :who");
    }
    json::object request{{"TableName", users_table_},
                         {"KeyConditionExpression", "#p = :p AND #k BETWEEN :lo AND :hi"},
                         {"ExpressionAttributeNames", std::move(names)},
                         {"ExpressionAttributeValues", std::move(values)},
                         {"ScanIndexForward", false},
                         {"ConsistentRead", true}};
    if (!filter.empty()) request["FilterExpression"] = filter;
    while (true) {
      // One more than wanted tells whether another page follows.
      const auto wanted = query.limit + 1 - page.entries.size();
      request["Limit"] = static_cast<std::int64_t>(
          filter.empty() ? wanted
                         : std::max<std::size_t>(
                               wanted, static_cast<std::size_t>(options_.filtered_query_limit)));
      const auto body = must(client_->call("Query", request), "Query");
      ++queries;
      for (const auto& item : body.at("Items").as_array()) {
        const auto& object = item.as_object();
        // BETWEEN includes :hi, which is exclusive here.
        if (get_s(object, "k") >= upper) continue;
        page.entries.push_back(decode_audit(object));
        if (page.entries.size() > query.limit) {
          page.entries.pop_back();
          page.next = AuditCursor{page.entries.back().at, page.entries.back().id};
          return page;
        }
      }
      const auto* more = body.if_contains("LastEvaluatedKey");
      if (more == nullptr) break;
      if (queries >= options_.max_listing_queries) {
        // Read as much as one page may: go on from the last key read.
        page.next = audit_cursor_of_key(get_s(more->as_object(), "k"));
        return page;
      }
      request["ExclusiveStartKey"] = *more;
    }
    if (queries >= options_.max_listing_queries) {
      // Go on from the month before: everything up to the last instant
      // before this month's first, every id there ('~' sorts after the
      // recorder's hex ids).
      page.next = AuditCursor{audit_month_start(month) - std::chrono::microseconds(1), "~"};
      return page;
    }
  }
  return page;
}

std::size_t DynamoDbStore::prune_audit(Timestamp before, std::size_t max) {
  std::size_t deleted = 0;
  const auto cutoff = audit_time_key(before);
  auto months = audit_months();
  std::reverse(months.begin(), months.end());  // oldest first
  for (const auto& month : months) {
    if (deleted >= max || audit_month_start(month) >= before) break;
    json::object request{
        {"TableName", users_table_},
        {"KeyConditionExpression", "#p = :p AND #k < :cut"},
        {"ExpressionAttributeNames", {{"#p", "p"}, {"#k", "k"}}},
        {"ExpressionAttributeValues", {{":p", S("a#" + month)}, {":cut", S(cutoff)}}},
        {"ProjectionExpression", "#p, #k"},
        {"ConsistentRead", true}};
    bool emptied = true;
    while (deleted < max) {
      request["Limit"] = static_cast<std::int64_t>(std::min<std::size_t>(max - deleted, 25));
      const auto body = must(client_->call("Query", request), "Query");
      json::array deletes;
      for (const auto& item : body.at("Items").as_array()) {
        const auto& object = item.as_object();
        deletes.push_back(json::object{
            {"DeleteRequest", {{"Key", key(get_s(object, "p"), get_s(object, "k"))}}}});
      }
      if (!deletes.empty()) {
        deleted += deletes.size();
        json::object batch{{"RequestItems", {{users_table_, std::move(deletes)}}}};
        // What DynamoDB leaves unprocessed is tried again a few times, then
        // left for the next prune (deleting is idempotent).
        for (int attempt = 0; attempt < 5; ++attempt) {
          const auto answer = must(client_->call("BatchWriteItem", batch), "BatchWriteItem");
          const auto* unprocessed = answer.if_contains("UnprocessedItems");
          if (unprocessed == nullptr || unprocessed->as_object().empty()) break;
          batch["RequestItems"] = *unprocessed;
          emptied = false;
        }
      }
      const auto* more = body.if_contains("LastEvaluatedKey");
      if (more == nullptr) break;
      request["ExclusiveStartKey"] = *more;
      if (deleted >= max) emptied = false;
    }
    // A month wholly before the cutoff and emptied leaves the registry; an
    // entry appended into it meanwhile (a clock far behind) registers it again
    // in a later process, which is as good as the trail allows.
    const bool whole_month_before = audit_month_end(month) <= before;
    if (emptied && deleted < max && whole_month_before) {
      must(client_->call("DeleteItem", {{"TableName", users_table_}, {"Key", key("am", month)}}),
           "DeleteItem");
      const std::lock_guard lock(audit_month_mutex_);
      if (noted_audit_month_ == month) noted_audit_month_.clear();
    }
  }
  return deleted;
}

}  // namespace cargomon
