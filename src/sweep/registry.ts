/**
 * The studies registry: `registerStudy` adds a study, `getStudy` finds one by name. The paper's
 * studies live in src/studies/ (its index exports `studies: Study[]` and their budget ladders,
 * `ladderStudies`, imported here statically so the import graph shows it); both are registered
 * the first time the registry is asked for a name it does not know, not as an import side
 * effect, so every reader of runs (a report, an archive with ladder runs) knows the ladders too.
 * A ladder study is marked by `ladderOf`: the findings table's studies are those without it.
 */
import { studies as builtinStudies, ladderStudies } from "../studies";
import { validateStudy, type Study } from "../evidence/study";

const registry = new Map<string, Study>();
let builtinsLoaded = false;

/** Adds (or replaces) a study. Validates it; throws naming the field. */
export function registerStudy(study: Study): Study {
  validateStudy(study);
  registry.set(study.name, study);
  return study;
}

function loadBuiltins(): void {
  if (builtinsLoaded) return;
  builtinsLoaded = true;
  for (const s of [...builtinStudies, ...ladderStudies])
    if (!registry.has(s.name)) registerStudy(s);
}

/** The study named `name`; throws listing the known names when there is none. */
export function getStudy(name: string): Study {
  if (!registry.has(name)) loadBuiltins();
  const s = registry.get(name);
  if (!s) {
    const known = listStudies().map((x) => x.name);
    throw new Error(
      `unknown study '${name}'; known studies: ${known.length ? known.join(", ") : "(none registered)"}`,
    );
  }
  return s;
}

/** All registered studies (the built-in ones and their ladders from src/studies/ included). */
export function listStudies(): Study[] {
  loadBuiltins();
  return [...registry.values()];
}
