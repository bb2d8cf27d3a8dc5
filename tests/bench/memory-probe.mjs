// Loaded with `node --import` into the app's processes by tests/bench/mixed-load.bench.ts only:
// once a second, this process's V8 heap (and RSS) goes to BENCH_MEMORY_FILE, which the benchmark
// samples. Written to a temp name and renamed, so a reader never sees half a line. Nothing else.
import fs from "node:fs";

const file = process.env.BENCH_MEMORY_FILE;
if (file) {
  const write = () => {
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    try {
      fs.writeFileSync(`${file}.tmp`, JSON.stringify({ at: Date.now(), rss, heapUsed, heapTotal, external }));
      fs.renameSync(`${file}.tmp`, file);
    } catch {
      // The benchmark's temp dir is gone (it is shutting down): nothing to report to.
    }
  };
  write();
  setInterval(write, 1_000).unref();
}
