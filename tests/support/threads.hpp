#pragma once
// Races for the concurrency tests: fn(0) … fn(n - 1), each on its own thread, all released
// at once (stock, seats, money, one per resident).
#include <atomic>
#include <thread>
#include <vector>

namespace courtyard::test {

template <class Fn>
void in_threads(int n, Fn fn) {
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < n) std::this_thread::yield();
      fn(i);
    });
  for (auto& th : threads) th.join();
}

}  // namespace courtyard::test
