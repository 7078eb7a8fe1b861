/**
 * What a sweep records of a failed cell attempt: a reason that starts with the error (the cell's
 * own message, not the TensorFlow log lines its process printed first), and whether a retry could
 * help. A deterministic failure (a plugin that does not load, a plugin's broken contract, an
 * invalid config) fails the same way on every attempt, so it is recorded once and not retried.
 */
import type { CellOutcome } from "./executor";

/** Lines the native TensorFlow backend writes to stderr (absl log lines and its CPU banner). */
const BACKEND_LOG: readonly RegExp[] = [
  /^[IWEF]\d{4} [\d:.]+\s+\d+\s+\S+:\d+\]/,
  /^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$/,
  /^To enable the following instructions:.*rebuild TensorFlow with the appropriate compiler flags\.$/,
];

/** `text` without the backend's log lines. */
export function stripBackendLog(text: string): string {
  return text
    .split("\n")
    .filter((line) => !BACKEND_LOG.some((re) => re.test(line)))
    .join("\n");
}

/**
 * Whether the attempt would fail the same way again: the sweep said so (a cell whose plugin did
 * not load before it started), the command's JSON said so (`deterministic`: a plugin error), or
 * it exited 2 (a usage or config error).
 */
export function isDeterministic(outcome: CellOutcome): boolean {
  return (
    outcome.deterministic === true ||
    outcome.exitCode === 2 ||
    outcome.result?.deterministic === true
  );
}

/** How the attempt ended, in words. */
function howItEnded(outcome: CellOutcome): string {
  if (outcome.jobState)
    return `job ${outcome.jobId ?? "?"} ended ${outcome.jobState}, exit code ${outcome.exitCode}`;
  if (outcome.signal) return `killed by ${outcome.signal}`;
  return outcome.exitCode === null ? "not started" : `exit code ${outcome.exitCode}`;
}

/**
 * The failure note of an attempt (MLflow's note on its run): the error first, then how the
 * attempt ended, then the rest of its output (backend log lines removed).
 */
export function failureNote(outcome: CellOutcome, attempt: number): string {
  const tail = stripBackendLog(outcome.stderrTail).trim();
  const reported = outcome.error ?? outcome.result?.error;
  const error = typeof reported === "string" && reported ? reported : tail || howItEnded(outcome);
  const retry = isDeterministic(outcome)
    ? "; not retried: it fails the same way on every attempt"
    : "";
  const rest = tail && tail !== error ? `\n\nlast output:\n${tail}` : "";
  return `${error}\n\n(cell failed: ${howItEnded(outcome)}, attempt ${attempt}${retry})${rest}`.slice(
    0,
    7900,
  );
}
