import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Where `name` would be found on PATH, or undefined. Used to run optional CLIs (openclaw) only when
 * they exist, instead of spawning and interpreting ENOENT; only absolute PATH entries count, so a
 * relative entry (`.`) cannot make the agent run a file from its working directory.
 */
export type FindExecutableFn = (name: string) => Promise<string | undefined>;

export function createFindExecutable(pathVariable = process.env.PATH ?? '', canExecute = isExecutable): FindExecutableFn {
  return async (name) => {
    for (const dir of pathVariable.split(delimiter)) {
      if (!dir || !isAbsolute(dir)) continue;
      const candidate = join(dir, name);
      if (await canExecute(candidate)) return candidate;
    }
    return undefined;
  };
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
