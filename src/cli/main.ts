/**
 * The `simclr` command line: one sub-command per module under src/cli/, dispatched by name.
 * Each sub-command module exports `run(argv)` returning the process exit code.
 */
import { configureFromEnv } from "../workbench/params";
import { firstLine, isUsageError } from "./usage";

/** A sub-command: parses its own arguments, returns an exit code. */
export interface Command {
  /** One line shown by `simclr --help`. */
  summary: string;
  /** Runs the command with the arguments after its name. */
  run(argv: string[]): Promise<number>;
}

/** Registry of sub-commands, loaded lazily so `simclr data` does not load TensorFlow. */
const commands: Record<string, () => Promise<Command>> = {
  // require, not import(): bin/simclr.cjs registers only tsx's CommonJS hook, so import() of a .ts fails there
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  data: async () => (require("./data") as typeof import("./data")).command,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  augment: async () => (require("./augment") as typeof import("./augment")).command,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  mlflow: async () => (require("./mlflow") as typeof import("./mlflow")).command,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  sweep: async () => (require("./sweep") as typeof import("./sweep")).command,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  report: async () => (require("./report") as typeof import("./report")).command,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  bench: async () => (require("./bench") as typeof import("./bench")).command,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  plugins: async () => (require("./plugins") as typeof import("./plugins")).command,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  pretrain: async () => (require("./pretrain") as typeof import("./pretrain")).command,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  eval: async () => (require("./eval") as typeof import("./eval")).command,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  doctor: async () => (require("./doctor") as typeof import("./doctor")).command,
};

/**
 * Runs the command line; returns the exit code: 0 done, 2 a usage error (one line naming the bad
 * value and the allowed ones), 1 a runtime failure (thrown on to bin/simclr.cjs).
 */
export async function main(argv: string[]): Promise<number> {
  // The CLI is an entry point: it reads the environment once, before TensorFlow can load.
  configureFromEnv(process.env);
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    const lines = await Promise.all(
      Object.entries(commands).map(
        async ([n, load]) => `  ${n.padEnd(10)} ${(await load()).summary}`,
      ),
    );
    console.log(`usage: simclr <command> [options]\n\ncommands:\n${lines.join("\n")}`);
    return name ? 0 : 1;
  }
  const load = commands[name];
  if (!load) {
    console.error(
      `simclr: unknown command '${name}'; expected one of: ${Object.keys(commands).join(", ")}`,
    );
    return 2;
  }
  try {
    return await (await load()).run(rest);
  } catch (e) {
    if (!isUsageError(e)) throw e;
    console.error(`simclr ${name}: ${firstLine(e)} (simclr ${name} --help)`);
    return 2;
  }
}
