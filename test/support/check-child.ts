/**
 * `clawops check` in its own process, so that a test can measure what one check costs: its peak
 * RSS (ru_maxrss) is this process's alone. Input: CLAWOPS_TEST_CHILD = JSON {argv, env}. Prints one
 * JSON line: the exit code, what the CLI wrote, and the peak RSS in MB.
 */
import { runCli } from '../../src/app/cli.js';

const input = JSON.parse(process.env.CLAWOPS_TEST_CHILD ?? '{}') as { argv: string[]; env: Record<string, string> };
let stdout = '';
let stderr = '';
const code = await runCli(input.argv, input.env, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), isTty: false });
process.stdout.write(`${JSON.stringify({ code, stdout, stderr, peakRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
