/**
 * A small error taxonomy (after ky's): named classes with a stable `code` and a `cause`.
 * Only for what callers branch on or show to people; a broken Gateway is never an error here
 * (probes return values), these are for bad input, bad config and our own infrastructure.
 */
export class AppError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The configuration file is missing, unreadable or invalid. `issues` name the path in the file. */
export class ConfigError extends AppError {
  readonly issues: string[];
  constructor(message: string, issues: string[] = [], options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
    this.issues = issues;
  }
}

/** A person asked for something malformed (a command line, a slash command). */
export class UsageError extends AppError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** A named gateway does not exist; carries the known names for a "did you mean". */
export class UnknownGatewayError extends AppError {
  readonly requested: string;
  readonly suggestion: string | undefined;
  readonly known: string[];
  constructor(requested: string, known: string[], suggestion: string | undefined) {
    super('UNKNOWN_GATEWAY', `No gateway named \`${requested}\`.${suggestion ? ` Did you mean \`${suggestion}\`?` : ''}`);
    this.requested = requested;
    this.known = known;
    this.suggestion = suggestion;
  }
}
