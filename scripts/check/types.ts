/** What every probe returns: one row of a publication's check table. */
export interface CheckResult {
  /** File name inside `<out>/<slug>/`. */
  file: string;
  /** Short name of the check, e.g. "EPUBCheck", "fonts". */
  check: string;
  ok: boolean;
  /** What was found, in a few words; on failure, what is wrong. */
  detail: string;
}

export interface PublicationCheck {
  slug: string;
  title: string;
  dir: string;
  ok: boolean;
  results: CheckResult[];
}
