/**
 * The data the end-to-end tests run the notebooks on: CIFAR-10 where it is configured
 * (SIMCLR_CIFAR10_DIR, SIMCLR_DATA or data/cifar10), else the generated pattern folder of
 * ./image-folder.ts in a temporary directory, handed to the notebooks through their parameters
 * (SIMCLR_DATASET), with its decoded cache in that directory and downloads off.
 */
import path from "node:path";
import { locateDataset } from "../../src/data/load";
import { writePatternFolder } from "./image-folder";
import { tempDir } from "./tmp";

/** Environment for the notebook kernels, and what it stands for. */
export interface E2eData {
  env: Record<string, string>;
  /** "CIFAR-10 at DIR" or "generated pattern folder at DIR (...)". */
  description: string;
  /** The temporary directory to remove afterwards, if one was made. */
  tempDir?: string;
}

/** Chooses the e2e data set; generates the fixture (about 1 s) when CIFAR-10 is absent. */
export function e2eData(): E2eData {
  const cifar = locateDataset("cifar10");
  if (cifar) return { env: {}, description: `CIFAR-10 at ${cifar.dir}` };
  const dir = tempDir("e2e-data");
  const folder = path.join(dir, "patterns");
  const classes = writePatternFolder(folder);
  return {
    env: {
      SIMCLR_DATASET: folder,
      SIMCLR_DATA: path.join(dir, "root"),
      SIMCLR_NO_DOWNLOAD: "1",
    },
    description: `generated pattern folder at ${folder} (${classes.length} classes; no CIFAR-10 configured: set SIMCLR_CIFAR10_DIR to run on it)`,
    tempDir: dir,
  };
}
