/**
 * Runs an external validator and collects its output. A missing program is
 * the machine's problem, not the book's, so it becomes an error with an
 * install hint instead of a failed check.
 */
import { spawn } from 'node:child_process';
import { CommandError, type ErrorCode } from '../errors.ts';

export interface ToolOutput {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runTool(command: string, args: string[], missing: ErrorCode): Promise<ToolOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new CommandError(missing, `\`${command}\` was not found on PATH.`, { cause: error }) : error);
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
