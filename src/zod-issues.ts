import type { core } from 'zod';

export interface IssueSummaryOptions {
  /** `code` (the default: outside text, e.g. a Gateway frame, never repeats its own values) or zod's `message`. */
  detail?: 'code' | 'message';
  /** How many issues are listed (default 3). */
  limit?: number;
  /** What a top-level issue is called (default `(root)`). */
  root?: string;
}

/** One line naming what failed a zod parse: `path: code; path: code`, bounded. */
export function summariseIssues(error: core.$ZodError, options: IssueSummaryOptions = {}): string {
  const { detail = 'code', limit = 3, root = '(root)' } = options;
  return error.issues
    .slice(0, limit)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : root}: ${detail === 'message' ? issue.message : issue.code}`)
    .join('; ');
}
