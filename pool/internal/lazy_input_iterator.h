// Copyright 2026 The eventlet-cpp Authors.
//
// lazy_input_iterator.h: the input iterator of GreenPile and GreenMap — one
// pass over results that are produced (and waited for) as the loop reaches
// them.
//
// A Source provides, to this iterator only (make it a friend):
//   using value_type = ...;
//   bool done();                       // true once no item is left; must not
//                                      // wait for an item's result
//   const value_type& current();       // the item at the front: parks until
//                                      // its result is ready, rethrows its
//                                      // exception
//   void advance();                    // drops the front item
// The end iterator holds no source. Two iterators compare equal when both are
// at the end or neither is (enough for range-for and the standard algorithms
// that take input iterators). The source outlives its iterators.
#ifndef EVENTLET_POOL_INTERNAL_LAZY_INPUT_ITERATOR_H_
#define EVENTLET_POOL_INTERNAL_LAZY_INPUT_ITERATOR_H_

#include <cstddef>
#include <iterator>

namespace eventlet::internal {

template <typename Source>
class LazyInputIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = typename Source::value_type;
  using difference_type = std::ptrdiff_t;
  using pointer = const value_type*;
  using reference = const value_type&;

  LazyInputIterator() = default;  // the end
  explicit LazyInputIterator(Source* source) : source_(source) {}

  // Parks until the front item's result is ready; rethrows its exception.
  const value_type& operator*() const { return source_->current(); }
  const value_type* operator->() const { return &source_->current(); }
  LazyInputIterator& operator++() {
    source_->advance();
    return *this;
  }
  void operator++(int) { ++*this; }
  bool operator==(const LazyInputIterator& other) const {
    return at_end() == other.at_end();
  }

 private:
  bool at_end() const { return source_ == nullptr || source_->done(); }

  Source* source_ = nullptr;
};

}  // namespace eventlet::internal

#endif  // EVENTLET_POOL_INTERNAL_LAZY_INPUT_ITERATOR_H_
