/** The compiled entry point `name` (e.g. 'cli.js') under `root`/lib when it is newer than every source; else undefined. */
export function freshCompiled(root: string, name: string): string | undefined;
