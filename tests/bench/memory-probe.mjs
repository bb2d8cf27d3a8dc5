// Loaded with `node --import` into the app's processes by tests/bench/mixed-load.bench.ts only:
// once a second, this process's V8 heap (and RSS) and the longest event-loop stall of that second
// (the last 15 seconds of them), and with --expose-gc the live heap, go to BENCH_MEMORY_FILE, which the benchmark samples. Written to a
// temp name and renamed, so a reader never sees half a file. Nothing else.
import fs from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

const file = process.env.BENCH_MEMORY_FILE;
if (file) {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const stalls = [];
  let writes = 0;
  let liveHeapUsed = null;
  const write = () => {
    stalls.push([Date.now(), Math.round(loop.max / 1e5) / 10]);
    if (stalls.length > 15) stalls.shift();
    loop.reset();
    // With --expose-gc (BENCH_MEMORY_GC=1): a full collection every 5 s, and the heap right after it
    // is the live set, the figure a leak shows in. It pauses the process, so it is opt-in.
    if (typeof globalThis.gc === "function" && ++writes % 5 === 0) {
      globalThis.gc();
      liveHeapUsed = process.memoryUsage().heapUsed;
    }
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    try {
      fs.writeFileSync(
        `${file}.tmp`,
        JSON.stringify({ at: Date.now(), rss, heapUsed, liveHeapUsed, heapTotal, external, stalls }),
      );
      fs.renameSync(`${file}.tmp`, file);
    } catch {
      // The benchmark's temp dir is gone (it is shutting down): nothing to report to.
    }
  };
  write();
  setInterval(write, 1_000).unref();
}
