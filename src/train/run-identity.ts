/**
 * How a pre-training run is named and tagged in MLflow, shared by `simclr pretrain` and the
 * notebooks' `runPretrain`: run name "<preset>-<mode>-<hash>", tags for the preset and the hash of
 * the resolved config (what a sweep matches finished cells by).
 */
import type { PretrainConfig } from "../config/pretrain-config";
import { configHash } from "../track/hash";

/** A run's name, tags and config hash. */
export interface PretrainRunIdentity {
  hash: string;
  runName: string;
  tags: Record<string, string>;
}

/** The identity of a run of `config`; `hash` defaults to the sha256 of the resolved config. */
export function pretrainRunIdentity(
  config: PretrainConfig,
  hash: string = configHash(config),
): PretrainRunIdentity {
  return {
    hash,
    runName: `${config.preset}-${config.mode}-${hash.slice(0, 12)}`,
    tags: { "simclr.preset": config.preset, "simclr.config_hash": hash },
  };
}
