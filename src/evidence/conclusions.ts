/**
 * Conclusions a study notebook prints, computed from that sweep's per-seed results: the declared
 * claims (src/evidence/claims.ts) plus the study's own findings (its `findings` builder in
 * src/studies/<study>.ts: interactions, paired probes, the strongest cell of a grid), decided
 * together with Holm-Bonferroni over the study's claims (a findings table decides again over all
 * of its claims). No study's labels or prose live here. Takes the study itself; notebooks name
 * it (src/workbench/conclusions.ts looks the name up in the registry).
 */
import { evaluateClaims, type SeedResult } from "./claims";
import { correctForLooks, decideFindings, formatEvidence, type Finding } from "./finding";
import { policyLooks } from "../stats/seed-policy";
import { baselineSentence } from "./baseline";
import { budgetFacts } from "./budget";
import { conclusionOf } from "./conclusion-text";
import { fidelitySentence, studyFidelity } from "./fidelity";
import { studyCells } from "../grid/study-grid";
import type { Study } from "./study";

export type { Finding } from "./finding";

function finished(results: readonly SeedResult[]): SeedResult[] {
  return results.filter((r) => (r as SeedResult & { status?: string }).status !== "FAILED");
}

/**
 * Every finding of a study's sweep (raw p kept, so a table can decide them again in its larger
 * family), decided over the study's own claims.
 */
export function decideStudyFindings(
  s: Study,
  results: readonly SeedResult[],
  preset?: string,
): Finding[] {
  const ok = finished(results);
  const declared: Finding[] = evaluateClaims(s, ok, preset !== undefined ? { preset } : {});
  const all = [...declared, ...(s.findings?.(ok, s, preset) ?? [])];
  // Under an adaptive seed policy the data were looked at repeatedly: correct each p for it.
  const policy = preset !== undefined ? s.presets?.[preset]?.seedPolicy : undefined;
  const factor = policy ? 2 * policyLooks(policy).length : undefined;
  return decideFindings(factor ? all.map((f) => correctForLooks(f, factor)) : all);
}

/** The findings as text lines: "[agrees] claim" then the evidence with its test. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `[${f.verdict}] ${f.claim}\n    ${formatEvidence(f)}`).join("\n");
}

/**
 * Where a paper study's notebook verdicts stand against the findings README's: the README decides
 * every study's claims in one Holm family, so its adjusted p values are larger and a verdict that
 * is decisive in the notebook can be inconclusive there.
 */
const FAMILY_NOTE =
  "; the findings README decides the claims of every study in one family, so a verdict there can be weaker";

/**
 * A study's conclusion as printed by its notebook: the study's own conclusion text (from its file,
 * computed from the findings), the count of findings that agree, then every finding with its test.
 */
export function studyConclusionText(
  s: Study,
  results: readonly SeedResult[],
  preset?: string,
): string {
  const f = decideStudyFindings(s, results, preset);
  const agree = f.filter((x) => x.verdict === "agrees").length;
  const decided = f.filter((x) => x.verdict === "agrees" || x.verdict === "disagrees").length;
  const own = conclusionOf(s)?.(f, budgetFacts(s, preset ?? ""));
  const base = baselineSentence(
    finished(results),
    studyCells(s, preset).map((c) => c.label ?? ""),
  );
  const fidelity = fidelitySentence(studyFidelity(s, finished(results)));
  return (
    (own ? `${own}\n\n` : "") +
    (base ? `${base}\n\n` : "") +
    (fidelity ? `${fidelity}\n\n` : "") +
    // a study of one's own ideas tests its own hypotheses, not the paper's claims
    `${agree} of ${f.length} ${s.claimsFrom === "paper" ? "findings agree with the paper" : "hypotheses of this study hold"} (${decided} decided; one-sided tests at alpha = 0.05, Holm-Bonferroni over both directions of this study's tested claims${s.claimsFrom === "paper" ? FAMILY_NOTE : ""}).\n` +
    formatFindings(f)
  );
}
