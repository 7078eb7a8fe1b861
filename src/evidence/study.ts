/**
 * A study's paper-facing side: the comparisons the paper makes (claims, each with an id), the
 * findings it computes beyond them, why they most likely fail at a small scale, its default plot
 * with the paper's numbers, and its conclusion's prose. The sweep's side, the grid of cells and
 * seeds with per-preset budgets, is src/grid/study-grid.ts; a {@link Study} is both, declared in one
 * file per study (src/studies/<study>.ts). Findings and reasons are keyed by claim id, never by
 * the claim's wording, so a claim can be reworded without losing its finding.
 */
import {
  selectCells,
  validateStudyGrid,
  type CellSelector,
  type StudyGrid,
} from "../grid/study-grid";
import type { PaperNumbers, StudyPlot } from "../plot/study";
import type { Finding } from "./finding";
import type { PartExtras } from "../config/pretrain-config";
import { validateSearch, type SearchStage } from "./search";
import { validateLadders, type ClaimLadder, type LadderPlan } from "./ladder";

export type { PaperNumbers, StudyPlot } from "../plot/study";

/** One per-seed result of a cell. */
export interface SeedResult {
  label: string;
  seed: number;
  metrics: Record<string, number>;
  /** The CPU model the run trained on (its `env.cpu_model` param), where recorded. */
  cpu?: string;
}

/** One comparison the paper makes: `better` should beat `worse` on `metric`. */
export interface Claim {
  /**
   * Stable key of the claim (letters, digits, '-', '_' or '.'), unique in its study: findings,
   * reasons and conclusions refer to it, e.g. "nonlinear-beats-linear".
   */
  id: string;
  /** The paper's statement, e.g. "a non-linear head beats a linear one (Figure 8)". */
  claim: string;
  /** Metric compared (higher is better unless `lowerIsBetter`). */
  metric: string;
  better: CellSelector;
  worse: CellSelector;
  /** Where the paper says it. */
  source?: string;
  /** For metrics like loss. */
  lowerIsBetter?: boolean;
}

/** One cell of a paper table: the study cell, the metric read on it and the paper's number. */
export interface FidelityCell {
  label: string;
  metric: string;
  paper: number;
}

/**
 * A table (or one row of it) whose numbers the paper prints, matched cell by cell with the study's
 * cells, for the fidelity score (src/evidence/fidelity.ts).
 */
export interface FidelityTable {
  /** e.g. "Table 1, SimCLR row". */
  table: string;
  cells: readonly FidelityCell[];
  /** How cells are matched where the grid is not the paper's (e.g. another batch size). */
  note?: string;
}

/** Facts of a study's budget at a preset, for reasons and prose (never retyped). */
export interface BudgetFacts {
  preset: string;
  /**
   * e.g. "6 epochs on a 5000-image training subset (probe and kNN fitted on that subset, scored on
   * the whole test split)".
   */
  text: string;
  epochs?: number;
  trainLimit?: number;
  testLimit?: number;
}

/** Why a study's claims most likely fail at a small scale (the findings table's last column). */
export interface StudyReasons {
  /** The study's reason, worded from its budget. */
  study: (budget: BudgetFacts) => string;
  /** Reasons of single findings, by claim id, where the study's is about something else. */
  claims?: Record<string, (budget: BudgetFacts) => string>;
  /** A reason computed from the runs, where the study has a rule (Table 5); wins when defined. */
  computed?: (results: readonly SeedResult[]) => string | undefined;
}

/**
 * One way a study's protocol departs from the paper's text, and why (the budget, the CPU, the
 * data set, or what is measured): the findings README and the report list them per study.
 */
export interface Deviation {
  /** What differs from the paper, e.g. "6 epochs on 5,000 CIFAR-10 images, not 100 on ImageNet". */
  what: string;
  /** Why, e.g. "budget: a 2-core CPU runs the whole reproduction in about 8 hours". */
  why: string;
  /** The presets it holds at (default every preset). */
  presets?: readonly string[];
}

/** Sentences on what a study's findings show at a budget (its notebook prints them first). */
export type StudyConclusion = (findings: readonly Finding[], budget: BudgetFacts) => string;

/** What a study says about the paper: everything but its grid. */
export interface StudyEvidence {
  /**
   * "paper": the claims are the paper's (the studies of src/studies/), and conclusions say how
   * many agree with the paper; absent: a study of one's own, whose claims are its own hypotheses.
   */
  claimsFrom?: "paper";
  /** Comparisons the paper makes, evaluated by reports. */
  claims?: Claim[];
  /**
   * Findings beyond the declared claims (interactions, paired probes, the strongest cell of a
   * grid), computed from the per-seed results with the builders of src/evidence/comparisons.ts;
   * each has an id like a claim's.
   */
  findings?: (
    results: readonly SeedResult[],
    study: Study,
    preset: string | undefined,
  ) => Finding[];
  /** Why its claims most likely fail at a small scale. */
  reasons?: StudyReasons;
  /** Default plot. */
  plot?: StudyPlot;
  /** Paper numbers to overlay: x category (the cell label, or the value of plot.x) -> value. */
  paper?: PaperNumbers;
  /** Paper tables whose numbers the study's cells reproduce, for a fidelity score each. */
  fidelity?: readonly FidelityTable[];
  /** The study's conclusion text, computed from its findings (src/evidence/conclusion-text.ts). */
  conclusion?: StudyConclusion;
  /**
   * A hyperparameter search run before the study, on its own seeds and at a cheaper budget, whose
   * choice per cell the study's cells then run at (src/evidence/search.ts).
   */
  search?: SearchStage;
  /** Where the study's protocol still departs from the paper's text, each with its reason. */
  deviations?: readonly Deviation[];
  /**
   * Budget ladders of some claims (issue 24): each claim's cells at several multiples of the
   * study budget, run as the study "<study>-ladder" (src/evidence/ladder.ts).
   */
  ladders?: readonly ClaimLadder[];
  /** On a ladder study only: the study it ladders and its rungs per preset (plain data). */
  ladderOf?: LadderPlan;
}

/**
 * A study: the grid a sweep runs plus what it says about the paper. `X` types the options of plugin
 * parts its cells set (`Study<{ loss: { beta: number } }>`); the built-in parts need none.
 */
export type Study<X extends PartExtras = Record<never, never>> = StudyGrid<X> & StudyEvidence;

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Checks a study's grid and claims (ids, selectors, reasons' keys); throws naming the field. */
export function validateStudy(study: Study): void {
  validateStudyGrid(study);
  validateSearch(study);
  validateLadders(study);
  for (const d of study.deviations ?? [])
    if (typeof d?.what !== "string" || !d.what || typeof d.why !== "string" || !d.why)
      throw new Error(
        `study '${study.name}': each deviation needs a 'what' and a 'why', got ${JSON.stringify(d)}`,
      );
  const ids = new Set<string>();
  for (const c of study.claims ?? []) {
    if (typeof c.id !== "string" || !ID.test(c.id))
      throw new Error(
        `study '${study.name}': claim "${c.claim}" needs an id of letters, digits, '-', '_' or '.', got ${JSON.stringify(c.id)}`,
      );
    if (ids.has(c.id)) throw new Error(`study '${study.name}': two claims share the id '${c.id}'`);
    ids.add(c.id);
    for (const side of ["better", "worse"] as const) {
      if (selectCells(study, c[side]).length === 0) {
        throw new Error(
          `study '${study.name}': claim '${c.id}' ("${c.claim}") ${side} selector ${JSON.stringify(c[side])} matches no cell`,
        );
      }
    }
  }
}
