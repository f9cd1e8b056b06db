// C++ Taskflow's static graphs, for bench/graphs.mjs and bench/reruns.mjs to run beside beatflow in the
// same command when given Taskflow's headers (TASKFLOW_INCLUDE; nothing of Taskflow is kept here). The
// graphs are beatflow's benches' (empty task bodies): a linear chain of 2^20 tasks (i → i+1), a binary
// tree of 2^20 − 1 (i → 2i+1, 2i+2), a 1024² wavefront (right and down), 2^20 independent tasks, each
// built once, run once (untimed), then re-run 5 times: the median; and the small graph re-run, 1000
// independent tasks run once and 200 times more untimed, then 5000 times: the total. A tf::Executor of T
// workers, as in /work/shared/anchors/taskflow.md.
//
//   taskflow-graphs <chain|tree|wavefront|empty|rerun> <T>   prints one line of JSON: Taskflow's
//        version, the tasks, the build and first run ms, the timed runs (ms), the figure's ms and ns
//        per task, and the process's CPU seconds
#include <taskflow/taskflow.hpp>

#include "taskflow-peer.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using Clock = std::chrono::steady_clock;

static double msSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

/** The graph of `shape` (empty bodies); its task count. */
static size_t build(tf::Taskflow& flow, const std::string& shape) {
  size_t n = shape == "rerun" ? 1000 : shape == "tree" ? (1u << 20) - 1 : 1u << 20;
  std::vector<tf::Task> ts(n);
  for (size_t i = 0; i < n; i++) ts[i] = flow.emplace([]() {});
  if (shape == "chain") {
    for (size_t i = 0; i + 1 < n; i++) ts[i].precede(ts[i + 1]);
  } else if (shape == "tree") {
    for (size_t i = 0; 2 * i + 2 < n; i++) ts[i].precede(ts[2 * i + 1], ts[2 * i + 2]);
  } else if (shape == "wavefront") {
    const size_t side = 1024;
    for (size_t r = 0; r < side; r++) {
      for (size_t c = 0; c < side; c++) {
        if (c + 1 < side) ts[r * side + c].precede(ts[r * side + c + 1]);
        if (r + 1 < side) ts[r * side + c].precede(ts[(r + 1) * side + c]);
      }
    }
  }
  return n;
}

int main(int argc, char** argv) {
  const std::string shape = argc > 2 ? argv[1] : "";
  const int workers = argc > 2 ? std::atoi(argv[2]) : 0;
  if ((shape != "chain" && shape != "tree" && shape != "wavefront" && shape != "empty" && shape != "rerun") || workers < 1) {
    std::fprintf(stderr, "usage: taskflow-graphs <chain|tree|wavefront|empty|rerun> <workers>\n");
    return 2;
  }
  // the executor and the graph in a block: their teardown counts in the CPU time reported after it
  std::string figures;
  {
  tf::Executor ex(workers);
  tf::Taskflow flow;
  auto t0 = Clock::now();
  const size_t n = build(flow, shape);
  const double buildMs = msSince(t0);
  t0 = Clock::now();
  ex.run(flow).wait();
  const double firstRunMs = msSince(t0);
  std::vector<double> runs;
  double figureMs, perTask;
  if (shape == "rerun") {
    for (int i = 0; i < 200; i++) ex.run(flow).wait();
    t0 = Clock::now();
    for (int i = 0; i < 5000; i++) ex.run(flow).wait();
    figureMs = msSince(t0);
    runs.push_back(figureMs);
    perTask = figureMs * 1e6 / (5000.0 * n);
  } else {
    for (int i = 0; i < 5; i++) {
      t0 = Clock::now();
      ex.run(flow).wait();
      runs.push_back(msSince(t0));
    }
    std::vector<double> sorted = runs;
    std::sort(sorted.begin(), sorted.end());
    figureMs = sorted[sorted.size() / 2];
    perTask = figureMs * 1e6 / n;
  }
  char head[256];
  std::snprintf(head, sizeof head, "{\"taskflow\":\"%s\",\"tasks\":%zu,\"buildMs\":%.2f,\"firstRunMs\":%.2f,\"medianMs\":%.2f,\"nsPerTask\":%.2f,\"runsMs\":[",
                tf::version(), n, buildMs, firstRunMs, figureMs, perTask);
  figures = head;
  appendRuns(figures, runs);
  }
  printResult(figures);
  return 0;
}
