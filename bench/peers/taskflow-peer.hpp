// What the Taskflow peer programs (taskflow-forkjoin.cpp, taskflow-graphs.cpp) share: the process's CPU
// time, and the end of the one line of JSON each prints.
#pragma once

#include <sys/resource.h>

#include <cstdio>
#include <string>
#include <vector>

/** This process's CPU seconds so far, every thread, user and system. */
inline double cpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/** Appends the timed runs (ms) to `json`, which ends with `"runsMs":[`. */
inline void appendRuns(std::string& json, const std::vector<double>& runs) {
  for (size_t i = 0; i < runs.size(); i++) {
    char one[32];
    std::snprintf(one, sizeof one, "%s%.2f", i ? "," : "", runs[i]);
    json += one;
  }
}

/** Prints `json` (its runs appended) and closes it with the CPU seconds, read now: after the teardown. */
inline void printResult(const std::string& json) {
  std::printf("%s],\"cpuS\":%.3f}\n", json.c_str(), cpuSeconds());
}
