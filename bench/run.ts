/**
 * `npm run bench`: every suite, one table. A figure is a measurement, not an assertion: a missed
 * target is printed and the exit code stays 0; only a bench that could not measure (a suite threw)
 * exits non-zero. All traffic stays on loopback.
 *
 *   npm run bench                         all suites
 *   npm run bench -- check-process slack  only the suites whose names contain these words
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchRow, BenchSuite } from './row.js';
import { ensureBuilt } from './support/build.js';
import { rssMethod } from './support/process.js';
import { benchCheckProcess } from './check-process.js';
import { benchCheckMany } from './check-many.js';
import { benchCheckProcessFake, benchCheckProcessLink } from './check-process-fake.js';
import { benchSlackCommands } from './slack-commands.js';
import { benchCheckAll } from './check-all.js';
import { benchHostile } from './hostile.js';
import { benchMetrics } from './metrics.js';

interface NamedSuite {
  name: string;
  run: BenchSuite;
}

const MONITORING = fileURLToPath(new URL('./monitoring.ts', import.meta.url));

async function suites(): Promise<NamedSuite[]> {
  const list: NamedSuite[] = [
    { name: 'check-process (issue 2)', run: benchCheckProcess },
    { name: 'check-process-fake (issue 16)', run: benchCheckProcessFake },
    { name: 'check-process-link (issue 16)', run: benchCheckProcessLink },
    { name: 'check-many (issue 2)', run: benchCheckMany },
    { name: 'slack-commands (issue 3)', run: benchSlackCommands },
    { name: 'check-all (issue 16)', run: benchCheckAll },
    { name: 'hostile (issue 12)', run: benchHostile },
    { name: 'metrics (issue 15)', run: benchMetrics },
  ];
  // Issue 4's suite is written separately; it joins the run once its file exists.
  if (existsSync(MONITORING)) {
    const module = (await import(pathToFileURL(MONITORING).href)) as { benchMonitoring?: BenchSuite };
    if (typeof module.benchMonitoring !== 'function') throw new Error('bench/monitoring.ts does not export benchMonitoring()');
    list.push({ name: 'monitoring (issue 4)', run: module.benchMonitoring });
  }
  return list;
}

function machine(): string {
  const list = cpus();
  return `${list[0]?.model.trim() ?? 'unknown cpu'} · ${list.length} cores · node ${process.version} · ${process.platform}/${process.arch} · peak RSS by ${rssMethod() === 'gnu-time' ? 'GNU time' : 'ru_maxrss at exit'}`;
}

function format(value: number | undefined): string {
  return value === undefined ? '' : String(value);
}

function table(rows: Array<BenchRow & { suite: string }>): string {
  const header = ['suite', 'name', 'value', 'unit', 'baseline', 'ratio', 'target', 'met'];
  const body = rows.map((row) => [
    row.suite,
    row.name,
    format(row.value),
    row.unit,
    row.baseline ? `${row.baseline.value} (${row.baseline.name})` : '',
    row.ratio === undefined ? '' : `${row.ratio}×`,
    row.target ?? '',
    row.met === undefined ? '' : row.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === 2 || column === 5 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}

async function main(): Promise<number> {
  const filters = process.argv.slice(2).map((word) => word.toLowerCase());
  const started = performance.now();
  console.log(`clawops bench · ${new Date().toISOString()}\nmachine: ${machine()}\n`);
  const built = await ensureBuilt();
  if (built) console.log(`built dist/ first (${built})\n`);

  const rows: Array<BenchRow & { suite: string }> = [];
  const failures: string[] = [];
  for (const suite of await suites()) {
    if (filters.length && !filters.some((word) => suite.name.toLowerCase().includes(word))) continue;
    const t0 = performance.now();
    process.stdout.write(`running ${suite.name} … `);
    try {
      const suiteRows = await suite.run();
      rows.push(...suiteRows.map((row) => ({ ...row, suite: suite.name.split(' ')[0]! })));
      console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (error) {
      console.log('FAILED');
      failures.push(`${suite.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  console.log(`\n${table(rows)}\n`);
  const notes = rows.filter((row) => row.note);
  if (notes.length) console.log(`notes:\n${notes.map((row) => `  ${row.name}: ${row.note}`).join('\n')}\n`);
  const targets = rows.filter((row) => row.target !== undefined);
  if (targets.length) {
    console.log('targets:');
    for (const row of targets) {
      const against = row.baseline && row.ratio !== undefined ? ` (${row.ratio}× ${row.baseline.name})` : '';
      console.log(`  ${row.met ? 'met   ' : 'MISSED'}  ${row.name}: ${row.value} ${row.unit}${against}, target ${row.target}`);
    }
  }
  console.log(`\nbench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (failures.length) {
    console.error(`\nthe bench could not measure everything:\n${failures.join('\n\n')}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
