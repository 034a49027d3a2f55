/** The process's streams and environment, injected so that tests need no monkey-patching. */
export interface OutStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  stdin: { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  /** Working directory for user-named files (defaults to process.cwd()). */
  cwd?: string;
}
