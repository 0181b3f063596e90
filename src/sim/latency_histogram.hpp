#pragma once
// A small HDR-style latency histogram: log-linear buckets over 64-bit values
// (microseconds, say). Values below 2^sub_bucket_bits are counted exactly;
// above, each power of two is split into 2^sub_bucket_bits equal buckets, so
// every recorded value is known to within 1/2^sub_bucket_bits (< 0.8 %) of
// itself. Fixed memory (~60 KiB), O(1) record, O(buckets) percentile.
//
// Not thread-safe: keep one per thread and merge() them at the end.

#include <cstdint>
#include <vector>

namespace cargomon::sim {

class LatencyHistogram {
 public:
  static constexpr unsigned sub_bucket_bits = 7;

  LatencyHistogram();

  void record(std::uint64_t value);
  void merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  double mean() const;

  // The value at `quantile` (0..1): the smallest v such that
  // round(quantile * count()) of the recorded values are <= v, reported as the
  // highest value of v's bucket (never above max()). 0 when nothing was
  // recorded.
  std::uint64_t percentile(double quantile) const;

  // Bucket arithmetic, public for tests.
  static std::size_t bucket_of(std::uint64_t value);
  static std::uint64_t bucket_high(std::size_t bucket);  // highest value in the bucket

 private:
  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace cargomon::sim
