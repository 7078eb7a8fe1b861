/**
 * `simclr plugins init DIR`: prepares a folder of plugin files kept outside the project, writing
 * DIR/tsconfig.json so that `npx tsc -p DIR` type-checks them against this toolkit and its
 * TensorFlow.js (no NODE_PATH, no node_modules link; src/plugins/tsconfig.ts).
 */
import type { Command } from "./main";
import { writePluginTsconfig } from "../plugins/tsconfig";

const USAGE = `usage: simclr plugins init DIR
  writes DIR/tsconfig.json: plain \`tsc -p DIR\` then type-checks the plugin files in DIR, whose
  imports of simclr-workbook and @tensorflow/tfjs resolve against this project`;

/** The `simclr plugins` command. */
export const command: Command = {
  summary: "prepare a folder of your own plugin files (a tsconfig.json for tsc)",
  async run(argv: string[]): Promise<number> {
    if (argv[0] === "--help" || argv[0] === "-h") {
      console.log(USAGE);
      return 0;
    }
    if (argv[0] !== "init" || argv.length !== 2) {
      console.error(`simclr plugins: expected 'init DIR'\n${USAGE}`);
      return 2;
    }
    const file = writePluginTsconfig(argv[1]);
    console.log(`wrote ${file}; type-check with: npx tsc -p ${argv[1]}`);
    return 0;
  },
};
