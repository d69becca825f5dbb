/** Where a command writes. Tests pass their own to capture output in-process. */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** The stream live progress may be drawn on (drawn only when it is a terminal); none: no live progress. */
  progressStream?: NodeJS.WriteStream;
}

export const processIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  progressStream: process.stderr,
};
