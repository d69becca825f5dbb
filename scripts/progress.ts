/**
 * Build progress a person can follow: one live line on a terminal (spinner,
 * publication, stage, chapter i of n, pages so far, seconds), and a line per
 * finished stage with its time. Quiet when the stream is not a terminal:
 * logs and CI get the summary at the end, and warnings, nothing else.
 */
import type { Logger, ProgressInfo } from './context.ts';
import type { Diagnostic } from './diagnostics.ts';

export interface ProgressOptions {
  /** A terminal to draw on; undefined: no live progress. */
  stream?: NodeJS.WriteStream;
  /** Where warnings and notes go when there is no live line to draw around. */
  write: (s: string) => void;
  renderDiagnostic: (d: Diagnostic) => string;
  now?: () => number;
}

export interface ProgressLogger extends Logger {
  /** Ends the live line: the last stage is marked done, or failed. */
  done(ok: boolean): void;
}

interface Stage {
  publication: string;
  message: string;
  started: number;
  current?: number;
  total?: number;
  pages?: number;
  /** The latest sub-step ("screen PDF, part 3 of 7 laid out"). */
  detail?: string;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR_LINE = '\r\x1b[2K';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const GREEN = (s: string) => `\x1b[32m${s}\x1b[39m`;
const RED = (s: string) => `\x1b[31m${s}\x1b[39m`;
const CYAN = (s: string) => `\x1b[36m${s}\x1b[39m`;

/** True when progress should be drawn on this stream. */
export function isInteractive(stream: NodeJS.WriteStream | undefined, env = process.env): stream is NodeJS.WriteStream {
  return Boolean(stream?.isTTY) && env.TERM !== 'dumb' && !env.CI;
}

export function createProgress(options: ProgressOptions): ProgressLogger {
  const { stream, write, renderDiagnostic } = options;
  const now = options.now ?? (() => performance.now());
  if (!stream) {
    return {
      step() {},
      info() {},
      progress() {},
      warn: (d) => write(renderDiagnostic(d) + '\n'),
      done() {},
    };
  }

  let stage: Stage | undefined;
  let frame = 0;
  let drawn = false;
  const seconds = (s: Stage) => `${((now() - s.started) / 1000).toFixed(1)} s`;
  const text = (s: Stage) => {
    const parts = [`${s.publication}: ${s.message}`];
    if (s.detail) parts.push(s.detail);
    else if (s.total) parts.push(`chapter ${s.current ?? 0} of ${s.total}`);
    if (s.pages) parts.push(`${s.pages} pages`);
    parts.push(seconds(s));
    return parts.join(' · ');
  };
  // One line, never wider than the terminal: a wrapped line cannot be redrawn in place.
  const fit = (s: string) => {
    const width = (stream.columns || 80) - 3;
    return s.length > width ? s.slice(0, Math.max(0, width - 1)) + '…' : s;
  };
  const draw = () => {
    if (!stage) return;
    stream.write(`${drawn ? CLEAR_LINE : HIDE_CURSOR}${CYAN(FRAMES[frame])} ${fit(text(stage))}`);
    drawn = true;
  };
  const erase = () => {
    if (drawn) stream.write(CLEAR_LINE);
    drawn = false;
  };
  const showCursor = () => stream.write(SHOW_CURSOR);
  const ticker = setInterval(() => {
    frame = (frame + 1) % FRAMES.length;
    draw();
  }, 100);
  ticker.unref();
  // A build stopped with Ctrl-C must not leave the terminal without a cursor.
  process.once('exit', showCursor);

  const finish = (ok: boolean) => {
    if (!stage) return;
    const s = stage;
    erase();
    stream.write(`${ok ? GREEN('✔') : RED('✖')} ${s.publication}: ${s.message}${s.pages ? ` (${s.pages} pages)` : ''} — ${seconds(s)}\n`);
    stage = undefined;
  };

  /** A line printed above the live one. */
  const above = (s: string) => {
    erase();
    stream.write(s.endsWith('\n') ? s : s + '\n');
    draw();
  };

  const progress = (info: ProgressInfo) => {
    const message = info.message ?? info.stage;
    if (!stage || stage.publication !== info.publication || stage.message !== message) {
      finish(true);
      stage = { publication: info.publication, message, started: now(), current: info.current, total: info.total, pages: info.pages };
    } else {
      stage.current = info.current ?? stage.current;
      stage.total = info.total ?? stage.total;
      stage.pages = info.pages ?? stage.pages;
    }
    draw();
  };

  return {
    // Steps come as "slug: what happens now"; one that counts ("part 3 of 7") refines the stage under way.
    step(message) {
      const m = /^([^:\s]+): (.+)$/.exec(message);
      if (!m) return above(message);
      const [, publication, what] = m;
      if (stage && stage.publication === publication && /\b\d+ of \d+\b/.test(what)) {
        stage.detail = what;
        return draw();
      }
      if (/^building /.test(what)) {
        // The start of a publication: a heading line, then the preparation until the first edition starts.
        finish(true);
        above(`${publication}: ${what}`);
        return progress({ publication, stage: 'prepare', message: 'preparing the theme and fonts' });
      }
      progress({ publication, stage: what });
    },
    progress,
    info: (m) => above(m),
    warn: (d) => above(renderDiagnostic(d)),
    done(ok) {
      finish(ok);
      clearInterval(ticker);
      showCursor();
      process.off('exit', showCursor);
    },
  };
}

const STAGE_NAMES: Record<string, string> = {
  load: 'read book.yaml and chapters',
  parse: 'parse Markdown',
  'paginate-screen': 'lay out the screen PDF',
  'paginate-print': 'lay out the print PDF',
  epub: 'package the EPUB',
  web: 'write the web edition',
};

/** Time per stage, longest first, and what the stages do not account for. */
export function formatTimings(timings: Record<string, number>, totalSeconds: number): string {
  const rows = Object.entries(timings).sort((a, b) => b[1] - a[1]);
  const accounted = rows.reduce((sum, [, ms]) => sum + ms, 0);
  const rest = Math.round(totalSeconds * 1000 - accounted);
  if (rest >= 50) rows.push(['other', rest]);
  if (!rows.length) return '';
  const label = (k: string) => STAGE_NAMES[k] ?? (k === 'other' ? 'other (fonts, cover, browser start, writing)' : k);
  const width = Math.max(...rows.map(([k]) => label(k).length));
  return ['Time per stage:', ...rows.map(([k, ms]) => `  ${label(k).padEnd(width)}  ${(ms / 1000).toFixed(1).padStart(5)} s`)].join('\n') + '\n';
}
