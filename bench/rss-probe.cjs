// Preloaded into a child node process (`node --require bench/rss-probe.cjs …`, or through
// NODE_OPTIONS for processes spawned by others) to record that process's peak RSS for
// `npm run bench` (and its CPU time): writes {pid, argv, kernel, start, end, maxRssKb, cpuMs}
// to $BENCH_RSS_DIR/<pid>.json every 200 ms
// and at exit. The periodic write matters for processes killed with SIGKILL (the notebook
// runner kills each kernel when it is done): their last record is at most 200 ms old.
"use strict";
const fs = require("fs");
const path = require("path");
const dir = process.env.BENCH_RSS_DIR;
// Worker threads (a kernel's watchdog) inherit the preload and share the process's pid: only the
// main thread writes, or two writers of one `<pid>.json.tmp` corrupt the record.
const { isMainThread } = require("worker_threads");
if (dir && isMainThread) {
  const start = Date.now();
  // process.argv can be empty here (entry scripts run through a loader); the notebook runner
  // marks its kernels with PASSK_RUNNER=1, which is how `notebooks` finds them.
  const kernel = process.env.PASSK_RUNNER === "1";
  const file = path.join(dir, `${process.pid}.json`);
  const write = () => {
    try {
      const usage = process.resourceUsage();
      const maxRssKb = usage.maxRSS;
      const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
      // write + rename: a kill mid-write leaves the previous record intact
      fs.writeFileSync(
        `${file}.tmp`,
        JSON.stringify({
          pid: process.pid,
          argv: process.argv.slice(1),
          kernel,
          start,
          end: Date.now(),
          maxRssKb,
          cpuMs,
        }),
      );
      fs.renameSync(`${file}.tmp`, file);
    } catch {
      // best effort: never disturb the measured process
    }
  };
  setInterval(write, 200).unref();
  process.on("exit", write);
}
