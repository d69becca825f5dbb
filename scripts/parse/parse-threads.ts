/**
 * Chapters parsed on more than one thread. Parsing Markdown is most of what
 * Node's main thread does in a cold build of a long book's EPUB and web
 * edition (the novel: about 0.9 s of 2.7 s), and nothing else can start
 * before it ends. A helper thread (parse-worker.ts) takes chapters from the
 * same queue as the main thread, a counter both sides take the next chapter
 * from, so neither waits for the other to hand out work; the longest
 * chapters go first, so that the last ones taken are short.
 *
 * The main thread answers its events between chapters (the browser gets its
 * pages and the cover ready meanwhile) and takes in the helper's results
 * then. A helper that fails or stops leaves its chapters to the main thread,
 * which parses them as it would have without one: the outcome never depends
 * on the helper. Parsing is deterministic, so the trees are the same either
 * way (tests/parse-threads.test.ts compares them).
 */
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../diagnostics.ts';
import type { ChapterSource } from '../model.ts';
import { workerEntry, workerExecArgv, type WorkerEntry } from '../util/worker-entry.ts';
import { yieldToEvents } from '../util/yield.ts';
import { parseChapter, type ParseResult } from './parse-chapter.ts';

export interface ParseJob {
  /** The chapter's place in the book. */
  index: number;
  source: ChapterSource;
  /** The chapter's file as messages name it. */
  shown: string;
}

export interface ParseCommon {
  publicationDir: string;
  bookLanguage: string;
}

/** What the helper is given: every job, and the counter it takes them by. */
export interface HelperData {
  jobs: ParseJob[];
  common: ParseCommon;
  next: SharedArrayBuffer;
}

/** What the helper answers for a job: its chapter (without the source, which the main thread has), or that it failed. */
export type HelperAnswer =
  | { job: number; chapter: Omit<ParseResult['chapter'], 'source'>; diagnostics: Diagnostic[] }
  | { job: number; failed: true }
  | { done: true };

/**
 * Below this much Markdown to parse, a helper costs more than it saves on a
 * 2-core machine: while a build parses, Chromium starts on the other core and
 * gets its pages (or the cover) ready, and a helper then only takes CPU from
 * the main thread. A longer book is still being parsed once Chromium is done.
 * Measured, cold, medians of alternating runs without and with a helper:
 * the novel (0.8 MB) PDF 13.3 vs 13.7 s, EPUB + web 3.28 vs 3.50 s; the
 * novel twice over (1.65 MB) PDF 22.8 vs 22.5 s; four times over (3.3 MB)
 * PDF 45.1 vs 39.8 s.
 */
export const HELPER_MIN_CHARS = 2_000_000;

/** Helpers for these jobs: one on a machine with a core to spare, for enough Markdown. */
export function helpersFor(jobs: ParseJob[], cores: number): number {
  if (cores < 2 || jobs.length < 2) return 0;
  return jobs.reduce((sum, job) => sum + job.source.body.length, 0) >= HELPER_MIN_CHARS ? 1 : 0;
}

export interface ParseThreadsOptions {
  /** Helper threads (0: the main thread parses alone). */
  helpers: number;
  /** Told each time a chapter is parsed: how many are, and where that one was; the main thread takes its next chapter once what it returns settles. */
  onParsed?: (count: number, where: 'main' | 'helper') => unknown;
  /** Told why a helper stopped before it was done (its chapters are parsed on the main thread). */
  onHelperStopped?: (error: Error) => void;
  /** The helper's code (tests); default parse-worker.ts. */
  helperEntry?: WorkerEntry;
}

/** One job parsed, on whichever thread calls it. */
export function parseJob({ index, source, shown }: ParseJob, common: ParseCommon): ParseResult {
  return parseChapter(source, { ...common, index, displayPath: () => shown });
}

/** Every job's result, in the jobs' order. */
export async function parseChapters(jobs: ParseJob[], common: ParseCommon, options: ParseThreadsOptions): Promise<ParseResult[]> {
  const results: Array<ParseResult | undefined> = new Array(jobs.length);
  let count = 0;
  const record = (job: number, result: ParseResult, where: 'main' | 'helper') => {
    // A helper's answer that comes after the main thread parsed the job itself is left.
    if (results[job]) return undefined;
    results[job] = result;
    return options.onParsed?.(++count, where);
  };
  const parseHere = (job: number) => record(job, parseJob(jobs[job], common), 'main');

  // The longest first: the work left at the end, when one side may wait for the other, is short.
  const order = jobs.map((_, job) => job).sort((a, b) => jobs[b].source.body.length - jobs[a].source.body.length || a - b);
  const next = new Int32Array(new SharedArrayBuffer(4));
  const data: HelperData = { jobs: order.map((job) => jobs[job]), common, next: next.buffer as SharedArrayBuffer };
  const helpers = Array.from({ length: Math.min(options.helpers, jobs.length - 1) }, () =>
    startHelper(data, options, (taken, answer) => {
      const job = order[taken];
      void record(job, { chapter: { ...answer.chapter, source: jobs[job].source }, diagnostics: answer.diagnostics }, 'helper');
    }),
  );
  try {
    for (let taken; (taken = Atomics.add(next, 0, 1)) < order.length; ) {
      await parseHere(order[taken]);
      await yieldToEvents();
    }
    // Every job is taken: wait only for those a helper is still parsing.
    if (results.some((result) => !result)) await Promise.all(helpers.map((h) => h.finished));
    // What a helper took and did not answer (it failed or stopped), the main thread parses.
    for (const job of order) if (!results[job]) await parseHere(job);
  } finally {
    await Promise.all(helpers.map((h) => h.stop()));
  }
  return results as ParseResult[];
}

interface Helper {
  /** Settles once the helper is done with every job it took, or stopped. */
  finished: Promise<void>;
  stop(): Promise<void>;
}

type ParsedAnswer = Extract<HelperAnswer, { chapter: unknown }>;

function startHelper(data: HelperData, options: ParseThreadsOptions, onAnswer: (taken: number, answer: ParsedAnswer) => void): Helper {
  let settle!: () => void;
  const finished = new Promise<void>((resolve) => (settle = resolve));
  let done = false;
  const stopped = (error: Error) => {
    if (!done) options.onHelperStopped?.(error);
    done = true;
    settle();
  };
  let worker: Worker;
  try {
    const entry = options.helperEntry ?? workerEntry(import.meta.url, './parse-worker.ts', 'parse/parse-worker.js');
    worker = new Worker(entry.code, { eval: entry.eval, execArgv: workerExecArgv(), workerData: data });
  } catch (error) {
    stopped(error instanceof Error ? error : new Error(String(error)));
    return { finished, stop: async () => undefined };
  }
  worker.on('message', (answer: HelperAnswer) => {
    if ('done' in answer) {
      done = true;
      settle();
    } else if ('failed' in answer) stopped(new Error(`the helper could not parse job ${answer.job}`));
    else onAnswer(answer.job, answer);
  });
  worker.on('error', (error: unknown) => stopped(error instanceof Error ? error : new Error(String(error))));
  worker.on('exit', (code) => stopped(new Error(`the helper thread exited (code ${code})`)));
  return {
    finished,
    stop: async () => {
      done = true;
      settle();
      await worker.terminate();
    },
  };
}
