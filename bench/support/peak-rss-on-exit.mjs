// Loaded with `node --import` into a measured process only when GNU time is not installed (see
// process.ts): writes the process's peak RSS in KiB (ru_maxrss, the figure GNU time prints) on exit.
// Plain JavaScript with no imports of its own, so that it adds next to nothing to what it measures.
import { writeFileSync } from 'node:fs';

const file = process.env.CLAWOPS_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, `${process.resourceUsage().maxRSS}\n`);
  });
}
