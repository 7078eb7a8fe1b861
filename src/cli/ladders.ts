/**
 * The built-in budget ladders (issue 24; "projection-head-ladder" and "batch-size-ladder", src/studies/index.ts) registered
 * beside the studies the registry loads itself, for the entry points that name studies: `simclr
 * sweep` runs and lists them, `simclr report` and `npm run reproduce` read their runs back.
 */
import { listStudies, registerStudy } from "../sweep/registry";
import { ladderStudies } from "../studies";

/** Registers every built-in ladder study the registry does not hold yet. */
export function registerLadders(): void {
  const known = new Set(listStudies().map((s) => s.name));
  for (const s of ladderStudies) if (!known.has(s.name)) registerStudy(s);
}
