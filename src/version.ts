/**
 * The toolkit's version, read from package.json at load time (not imported as JSON: a plugin
 * that type-checks against src/index.ts then needs no --resolveJsonModule).
 */
import fs from "node:fs";
import path from "node:path";

/** Version of simclr-workbook (from package.json). */
export const version: string = (
  JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as {
    version: string;
  }
).version;
