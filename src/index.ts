/**
 * simclr-workbook: the public toolkit API, a flat list of re-exports (one concept per module).
 *
 * Notebooks import it as `import * as sw from "simclr-workbook"`; see environment.md, "Notebooks".
 * Keep this file compatible with tslab's bundled TypeScript 5.0 (checked by `npm run typecheck`).
 */
export { version } from "./version";
