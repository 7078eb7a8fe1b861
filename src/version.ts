/** The toolkit's version, read from package.json. */
import pkg from "../package.json";

/** Version of simclr-workbook (from package.json). */
export const version: string = pkg.version;
