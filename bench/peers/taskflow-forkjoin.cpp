// C++ Taskflow's fork-join shapes, for bench/forkjoin.mjs to run beside beatflow in the same command when
// it is given Taskflow's headers (TASKFLOW_INCLUDE; nothing of Taskflow is kept here). The programs are
// beatflow's (bench/tasks.mjs), every call a task, so both count the same tasks: fib(30) through
// tf::Subflow (two children and join(), under a root task: 2,692,537 tasks), fib(30) through TaskGroup +
// corun (both children spawned, under a root async: 2,692,537 tasks; the anchors' fib(31) ran one child
// inline and counted the 2,178,309 spawned), skynet depth 7 (10-ary TaskGroup recursion, 11,111,111
// tasks); and Taskflow's own idiom for fib (its bundled example: one child spawned, the other called
// inline), fib(30) counted per call as beatflow's is (2,692,537), to set beside beatflow's inlining. The method is the anchors' (/work/shared/anchors/taskflow.md): a tf::Executor of T workers,
// one untimed run, then the median of 5.
//
//   taskflow-forkjoin <subflow|fib|fib-inline|skynet> <T>   prints one line of JSON: Taskflow's version, the median
//                                                ms, ns per task, the runs, and the process's CPU seconds
#include <taskflow/taskflow.hpp>

#include "taskflow-peer.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

static tf::Executor* executor;

static size_t sfib(size_t n, tf::Subflow& sf) {
  if (n < 2) return n;
  size_t a, b;
  sf.emplace([&a, n](tf::Subflow& s) { a = sfib(n - 1, s); });
  sf.emplace([&b, n](tf::Subflow& s) { b = sfib(n - 2, s); });
  sf.join();
  return a + b;
}

static size_t gfib(size_t n) {
  if (n < 2) return n;
  size_t a, b;
  tf::TaskGroup tg = executor->task_group();
  tg.silent_async([n, &a]() { a = gfib(n - 1); });
  tg.silent_async([n, &b]() { b = gfib(n - 2); });
  tg.corun();
  return a + b;
}

// Taskflow's own idiom (its bundled example): one child spawned, the other called inline
static size_t ifib(size_t n) {
  if (n < 2) return n;
  size_t a;
  tf::TaskGroup tg = executor->task_group();
  tg.silent_async([n, &a]() { a = ifib(n - 1); });
  const size_t b = ifib(n - 2);
  tg.corun();
  return a + b;
}

static size_t skynet(size_t num, size_t size, size_t div) {
  if (size == 1) return num;
  size_t r[10];   // div is 10
  tf::TaskGroup tg = executor->task_group();
  const size_t sub = size / div;
  for (size_t i = 0; i < div; i++) tg.silent_async([&r, i, num, sub, div]() { r[i] = skynet(num + i * sub, sub, div); });
  tg.corun();
  size_t sum = 0;
  for (size_t i = 0; i < div; i++) sum += r[i];
  return sum;
}

int main(int argc, char** argv) {
  const std::string kind = argc > 2 ? argv[1] : "";
  const int workers = argc > 2 ? std::atoi(argv[2]) : 0;
  if ((kind != "subflow" && kind != "fib" && kind != "fib-inline" && kind != "skynet") || workers < 1) {
    std::fprintf(stderr, "usage: taskflow-forkjoin <subflow|fib|fib-inline|skynet> <workers>\n");
    return 2;
  }
  // the executor in a block: its teardown counts in the CPU time reported after it
  std::string figures;
  {
  tf::Executor ex(workers);
  executor = &ex;
  const double tasks = kind == "skynet" ? 11111111 : 2692537;
  const size_t want = kind == "skynet" ? 49999995000000ull : 832040;
  std::vector<double> runs;
  for (int rep = 0; rep < 6; rep++) {
    const auto t0 = std::chrono::steady_clock::now();
    size_t got = 0;
    if (kind == "subflow") {
      tf::Taskflow flow;
      flow.emplace([&got](tf::Subflow& sf) { got = sfib(30, sf); });
      ex.run(flow).wait();
    } else if (kind == "fib") {
      got = ex.async([]() { return gfib(30); }).get();
    } else if (kind == "fib-inline") {
      got = ex.async([]() { return ifib(30); }).get();
    } else {
      got = ex.async([]() { return skynet(0, 10000000, 10); }).get();
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (got != want) {
      std::fprintf(stderr, "%s returned %zu, expected %zu\n", kind.c_str(), got, want);
      return 1;
    }
    if (rep > 0) runs.push_back(ms);   // the first run is untimed
  }
  std::vector<double> sorted = runs;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  char head[192];
  std::snprintf(head, sizeof head, "{\"taskflow\":\"%s\",\"tasks\":%.0f,\"medianMs\":%.2f,\"nsPerTask\":%.2f,\"runsMs\":[", tf::version(), tasks, median, median * 1e6 / tasks);
  figures = head;
  appendRuns(figures, runs);
  }
  printResult(figures);
  return 0;
}
