#pragma once
// The one SAX handler that builds JsonNode trees from Boost.JSON's
// basic_parser, keeping every number's exact text (money is read from its
// digits, never from a double). Its users derive from it (CRTP):
// parse_json (api/json.cpp) refuses a duplicate key; the import's reader
// (cli/item_reader.cpp) feeds it a file chunk by chunk, hands the elements
// of a scan's "Items" over one at a time instead of keeping them, and
// charges a duplicate key to the item that holds it.
//
// The derived class declares Boost.JSON's limits (static constexpr
// max_object_size, max_array_size, max_key_size, max_string_size) and
//   bool duplicate_key(const std::string& key);  // an object repeats `key`:
//                                                // false stops the parse
//   bool hand_over(JsonNode& node);  // a completed value about to go into
//                                    // its parent: true when it took it
// The instantiating translation unit includes
// <boost/json/basic_parser_impl.hpp>.

#include <boost/json/error.hpp>
#include <boost/json/string_view.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "api/json.hpp"

namespace cargomon::api {

// The first key that appears twice (its first occurrence), or null. At most
// O(n log n) key comparisons, whatever the keys; `comparisons`, when given,
// is increased by how many were made (the test pins the cost with it).
const std::string* find_duplicate_key(const std::vector<std::string>& keys,
                                      std::size_t* comparisons = nullptr);

template <class Derived>
class JsonTreeBuilder {
 public:
  using error_code = boost::json::error_code;
  using string_view = boost::json::string_view;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) { return open(JsonNode::Kind::array); }
  bool on_array_end(std::size_t, error_code&) { return close(); }
  bool on_object_begin(error_code&) { return open(JsonNode::Kind::object); }
  bool on_object_end(std::size_t, error_code& ec) {
    if (const auto* duplicate = find_duplicate_key(stack_.back().keys)) {
      if (!derived().duplicate_key(*duplicate)) {
        ec = boost::json::error::syntax;  // the derived class knows the reason
        return false;
      }
    }
    return close();
  }
  bool on_string_part(string_view s, std::size_t, error_code&) { return part(s); }
  bool on_string(string_view s, std::size_t, error_code&) {
    return scalar(JsonNode::Kind::string, s);
  }
  bool on_key_part(string_view s, std::size_t, error_code&) { return part(s); }
  bool on_key(string_view s, std::size_t, error_code&) {
    key_ = std::move(part_);
    key_.append(s.data(), s.size());
    part_.clear();
    return true;
  }
  bool on_number_part(string_view s, error_code&) { return part(s); }
  bool on_int64(std::int64_t, string_view s, error_code&) {
    return scalar(JsonNode::Kind::number, s);
  }
  bool on_uint64(std::uint64_t, string_view s, error_code&) {
    return scalar(JsonNode::Kind::number, s);
  }
  bool on_double(double, string_view s, error_code&) { return scalar(JsonNode::Kind::number, s); }
  bool on_bool(bool b, error_code&) {
    JsonNode node;
    node.kind = JsonNode::Kind::boolean;
    node.boolean = b;
    return add(std::move(node));
  }
  bool on_null(error_code&) { return add(JsonNode{}); }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

  // The top-level value, once the parser is done with it.
  JsonNode take_root() { return std::exchange(root_, JsonNode{}); }

 protected:
  // Containers open around the value being built; level 0 is the outermost.
  std::size_t depth() const { return stack_.size(); }
  JsonNode::Kind open_kind(std::size_t level) const { return stack_[level].kind; }
  // The key the container open at `level` will be stored under in its parent.
  const std::string& open_key(std::size_t level) const { return keys_[level]; }

 private:
  Derived& derived() { return static_cast<Derived&>(*this); }

  bool part(string_view s) {
    part_.append(s.data(), s.size());
    return true;
  }
  bool scalar(JsonNode::Kind kind, string_view s) {
    JsonNode node;
    node.kind = kind;
    node.text = std::move(part_);
    node.text.append(s.data(), s.size());
    part_.clear();
    return add(std::move(node));
  }
  bool open(JsonNode::Kind kind) {
    JsonNode node;
    node.kind = kind;
    stack_.push_back(std::move(node));
    keys_.push_back(std::move(key_));
    key_.clear();
    return true;
  }
  bool close() {
    JsonNode node = std::move(stack_.back());
    stack_.pop_back();
    key_ = std::move(keys_.back());
    keys_.pop_back();
    return add(std::move(node));
  }
  bool add(JsonNode node) {
    if (stack_.empty()) {
      root_ = std::move(node);
      return true;
    }
    if (!derived().hand_over(node)) {
      auto& parent = stack_.back();
      if (parent.kind == JsonNode::Kind::object) parent.keys.push_back(std::move(key_));
      parent.children.push_back(std::move(node));
    }
    key_.clear();
    return true;
  }

  std::vector<JsonNode> stack_;
  std::vector<std::string> keys_;  // the key each open container will be stored under
  std::string key_;
  std::string part_;
  JsonNode root_;
};

}  // namespace cargomon::api
