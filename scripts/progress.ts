/**
 * Build progress a person can follow: one live line on a terminal (spinner,
 * publication, stage, chapter i of n, pages so far, seconds), and a line per
 * finished stage with its time. Quiet when the stream is not a terminal:
 * logs and CI get the summary at the end, and warnings, nothing else.
 */
import { createLogUpdate } from 'log-update';
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
  /** Ends the live lines: the stages under way are marked done, or failed. */
  done(ok: boolean): void;
}

interface Stage {
  publication: string;
  message: string;
  started: number;
  current?: number;
  total?: number;
  unit?: string;
  pages?: number;
  alongside?: boolean;
  /** The latest sub-step ("screen PDF, part 3 of 7 laid out"). */
  detail?: string;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
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

  // The stages under way, oldest first: one live line each.
  let stages: Stage[] = [];
  let frame = 0;
  // log-update redraws the live lines in place: it wraps them to the terminal's
  // width, erases what it drew before, hides the cursor and shows it again on exit.
  const live = createLogUpdate(stream);
  const seconds = (s: Stage) => `${((now() - s.started) / 1000).toFixed(1)} s`;
  const text = (s: Stage) => {
    const parts = [`${s.publication}: ${s.message}`];
    if (s.detail) parts.push(s.detail);
    else if (s.total) parts.push(`${s.unit ?? 'chapter'} ${s.current ?? 0} of ${s.total}`);
    if (s.pages) parts.push(`${s.pages} pages`);
    parts.push(seconds(s));
    return parts.join(' · ');
  };
  const draw = () => {
    if (stages.length) live(stages.map((s) => `${CYAN(FRAMES[frame])} ${text(s)}`).join('\n'));
    else live.clear();
  };
  const ticker = setInterval(() => {
    frame = (frame + 1) % FRAMES.length;
    draw();
  }, 100);
  ticker.unref();

  /** Ends stages: a line each above the live ones, with its time. */
  const finish = (ended: Stage[], ok: boolean) => {
    if (!ended.length) return;
    stages = stages.filter((s) => !ended.includes(s));
    live.persist(ended.map((s) => `${ok ? GREEN('✔') : RED('✖')} ${s.publication}: ${s.message}${s.pages ? ` (${s.pages} pages)` : ''} — ${seconds(s)}`).join('\n'));
    draw();
  };

  /** A line printed above the live ones. */
  const above = (s: string) => {
    live.persist(s.replace(/\n$/, ''));
    draw();
  };

  const progress = (info: ProgressInfo) => {
    const message = info.message ?? info.stage;
    let stage = stages.find((s) => s.publication === info.publication && s.message === message);
    if (!stage) {
      // A new stage ends those under way, except that stages running alongside each other (the PDF editions) end apart.
      finish(stages.filter((s) => !(info.alongside && s.alongside)), true);
      stage = { publication: info.publication, message, started: now(), alongside: info.alongside };
      stages.push(stage);
    }
    stage.current = info.current ?? stage.current;
    stage.total = info.total ?? stage.total;
    stage.unit = info.unit ?? stage.unit;
    stage.pages = info.pages ?? stage.pages;
    if (info.done) finish([stage], true);
    else draw();
  };

  return {
    // Steps come as "slug: what happens now"; one that counts ("part 3 of 7") refines the stage under way.
    step(message) {
      const m = /^([^:\s]+): (.+)$/.exec(message);
      if (!m) return above(message);
      const [, publication, what] = m;
      const latest = stages.findLast((s) => s.publication === publication);
      if (latest && /\b\d+ of \d+\b/.test(what)) {
        latest.detail = what;
        return draw();
      }
      if (/^building /.test(what)) {
        // The start of a publication: a heading line, then the preparation until the first edition starts.
        finish(stages, true);
        above(`${publication}: ${what}`);
        return progress({ publication, stage: 'prepare', message: 'preparing the theme and fonts' });
      }
      progress({ publication, stage: what });
    },
    progress,
    info: (m) => above(m),
    warn: (d) => above(renderDiagnostic(d)),
    done(ok) {
      finish(stages, ok);
      clearInterval(ticker);
      live.done();
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
