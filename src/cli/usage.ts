/**
 * Usage errors of the command line: a bad flag, an unknown name or a bad value. The CLI prints
 * them as one line naming the value and what is allowed, and exits 2; every other failure exits 1.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A usage error: the message names the bad value and the allowed ones. */
export class UsageError extends Error {}

/** Whether `e` is a usage error: a {@link UsageError} or an error of Node's `parseArgs`. */
export function isUsageError(e: unknown): e is Error {
  if (e instanceof UsageError) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}

/**
 * `parseArgs` whose errors are {@link UsageError}s listing the command's options (Node's own
 * message names the bad flag but not the allowed ones).
 */
export function parseCommandLine<T extends ParseArgsConfig>(
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    if (!isUsageError(e)) throw e;
    const first = e.message.split("\n")[0].replace(/\. To specify a positional argument.*$/, "");
    const flags = Object.keys(config.options ?? {})
      .map((f) => `--${f}`)
      .join(", ");
    throw new UsageError(`${first}; options: ${flags}`);
  }
}

/** The first line of an error's message (usage errors print one line). */
export function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split("\n")[0];
}
