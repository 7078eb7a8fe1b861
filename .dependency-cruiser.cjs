/**
 * The import rules of src/ (issue 23), checked by `npm run lint` (depcruise) and measured by
 * scripts/structure.mjs. Folders sit in layers; a module imports only its own layer and the ones
 * below. The leaves (augment, loss, models, optim) know only their built-ins and the basics below
 * them; plugin parts are resolved above them (src/parts) and handed down.
 * Type-only imports count too (tsPreCompilationDeps): a type import is still a knot in the design.
 */
const { LAYERS, ALLOWED_UP } = require("./scripts/layers.cjs");

const folders = (pred) =>
  `^src/(${Object.keys(LAYERS)
    .filter((f) => pred(LAYERS[f]))
    .join("|")})[/.]`;

/** One rule per layer: nothing in it imports a folder of a higher layer. */
const layerRules = [...new Set(Object.values(LAYERS))].sort().map((level) => ({
  name: `layer-${level}-imports-no-higher`,
  comment: `folders of layer ${level} import only their own layer and lower ones (.dependency-cruiser.cjs LAYERS)`,
  severity: "error",
  from: { path: folders((l) => l === level), pathNot: ALLOWED_UP.map((a) => a.from) },
  to: { path: folders((l) => l > level) },
}));

/** A module allowed one import up the layers imports nothing else above its own layer. */
const allowedUpRules = ALLOWED_UP.map((a, i) => ({
  name: `allowed-up-${i}-only`,
  comment: `${a.from} may import ${a.to} above its layer (scripts/layers.cjs), nothing else above`,
  severity: "error",
  from: { path: a.from },
  to: {
    path: folders((l) => l > LAYERS[/^\^src\/([^/]+)/.exec(a.from)[1]]),
    pathNot: a.to,
  },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    ...allowedUpRules,
    {
      name: "leaves-know-only-built-ins",
      comment:
        "augment/, loss/ and models/ read no plugin registry and import no plugins, parts, config, training, sweep or report code",
      severity: "error",
      from: { path: "^src/(augment|loss|models)/" },
      to: { path: "^src/(plugins|parts|config|eval|train|sweep|report|studies|cli|workbench)/" },
    },
    {
      name: "no-circle-across-folders",
      comment: "an import circle stays inside one folder",
      severity: "error",
      from: { path: "^src/([^/]+)/" },
      to: {
        circular: true,
        viaSomeNot: "^src/$1/",
      },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^src/.*\\.d\\.ts$" },
  },
};
