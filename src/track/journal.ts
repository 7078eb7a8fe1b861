/**
 * The local append-only tracking journal: every tracking call of a run is first appended to a
 * JSONL file (one per run, under .simclr/journal/ by default), then replayed to the MLflow server in
 * order. A side file records how many entries the server has accepted, so a replay after a server
 * restart, a crash or `simclr mlflow sync` sends each entry once. (Metric rows identical in key,
 * value, step and timestamp are also merged by MLflow's SQL store, so the at-least-once window
 * between a successful request and the offset write cannot duplicate rows.)
 */
import fs from "node:fs";
import path from "node:path";
import {
  isTransientError,
  MlflowClient,
  MLFLOW_LIMITS,
  type LogBatch,
  type Metric,
  type TrackingCredentials,
} from "./mlflow";
import { trackingSettings } from "./context";
import { PROJECT_ROOT } from "./server";
import type { DatasetInput, RunStatus } from "./types";
import { pidAlive } from "../util/process";

/** Tag that links a run to the journal that created it (makes run creation idempotent on replay). */
export const JOURNAL_ID_TAG = "simclr.journal_id";

/** The default journal folder: the entry point's (SIMCLR_JOURNAL_DIR), else <project>/.simclr/journal. */
export function defaultJournalDir(): string {
  const dir = trackingSettings().journalDir;
  return dir ? path.resolve(dir) : path.join(PROJECT_ROOT, ".simclr", "journal");
}

/** First line of a journal file. */
export interface JournalHeader {
  op: "open";
  journalId: string;
  /** Tracking URI the run belongs to (undefined when it could not be resolved at start). */
  uri?: string;
  experiment: string;
  createdAt: number;
}

/** A tracking operation recorded in the journal. */
export type JournalOp =
  | {
      op: "create";
      experiment: string;
      runName?: string;
      /** Log into this existing run (created by a sweep at submission) instead of creating one. */
      runId?: string;
      startTime: number;
      tags: Record<string, string>;
    }
  | { op: "metrics"; metrics: Metric[]; ofModel?: boolean }
  | { op: "params"; params: { key: string; value: string }[] }
  | { op: "tags"; tags: { key: string; value: string }[] }
  | { op: "artifact"; artifactPath: string; file: string }
  | { op: "inputs"; datasets: DatasetInput[] }
  | {
      op: "model";
      name: string;
      modelType: string;
      step: number;
      params: Record<string, string>;
      tags: Record<string, string>;
      /** Model-relative paths and the journal's stored copies of their contents. */
      files: { path: string; file: string }[];
    }
  | { op: "terminate"; status: RunStatus; endTime: number };

/** A journal line: an operation and its sequence number (1-based). */
export type JournalEntry = JournalOp & { seq: number };

/** What has been replayed so far (the side file `<id>.state.json`). */
export interface JournalState {
  /** Highest seq the server has accepted (or that was skipped after a permanent error). */
  replayed: number;
  runId?: string;
  experimentId?: string;
  /** The run's logged model, once created (a replay after a failure reuses it). */
  modelId?: string;
  /** True once the logged model is READY and linked to the run's outputs. */
  modelDone?: boolean;
  /** Process that owns the journal while it runs; `sync` leaves live owners alone. */
  ownerPid?: number;
  /** Entries the server rejected permanently (after retrying them one by one). */
  errors: { seq: number; message: string }[];
}

/** Result of a replay. */
export interface ReplayResult {
  /** Entries accepted in this replay. */
  sent: number;
  /** Entries still waiting (server down). */
  pending: number;
  runId?: string;
  /** True when the run was terminated on the server and nothing is pending. */
  complete: boolean;
  /** Transient error that stopped the replay, if any. */
  stoppedBy?: string;
}

/** One run's journal: the file, its in-memory entries and the replay state. */
export class Journal {
  readonly file: string;
  readonly header: JournalHeader;
  /** Entries in memory: all of them after open(); a live logger drops replayed ones (compact()). */
  readonly entries: JournalEntry[];
  private lastSeq: number;
  private lastOpName?: JournalOp["op"];
  state: JournalState;
  private memoryOnly: boolean;

  private constructor(
    file: string,
    header: JournalHeader,
    entries: JournalEntry[],
    state: JournalState,
    memoryOnly: boolean,
  ) {
    this.file = file;
    this.header = header;
    this.entries = entries;
    const last = entries[entries.length - 1];
    this.lastSeq = last ? last.seq : 0;
    this.lastOpName = last?.op;
    this.state = state;
    this.memoryOnly = memoryOnly;
  }

  /** Creates a new journal in `dir` (falls back to memory only, with a warning, when `dir` is not writable). */
  static create(dir: string, header: Omit<JournalHeader, "op">): Journal {
    const file = path.join(dir, `${header.journalId}.jsonl`);
    const h: JournalHeader = { op: "open", ...header };
    const state: JournalState = { replayed: 0, ownerPid: process.pid, errors: [] };
    let memoryOnly = false;
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(file, `${JSON.stringify(h)}\n`, { flag: "wx" });
    } catch (err) {
      memoryOnly = true;
      console.warn(
        `simclr: tracking journal not writable (${(err as Error).message}); keeping it in memory only`,
      );
    }
    const j = new Journal(file, h, [], state, memoryOnly);
    j.saveState();
    return j;
  }

  /** Opens an existing journal file (entries after a torn last line are ignored). */
  static open(file: string): Journal {
    const lines = fs.readFileSync(file, "utf8").split("\n");
    const header = JSON.parse(lines[0]) as JournalHeader;
    if (header.op !== "open")
      throw new Error(
        `${file}: not a simclr tracking journal (first line is not an 'open' record)`,
      );
    const entries: JournalEntry[] = [];
    for (const line of lines.slice(1)) {
      if (line.trim() === "") continue;
      try {
        entries.push(JSON.parse(line) as JournalEntry);
      } catch {
        break; // a line torn by a crash: nothing after it was acknowledged either
      }
    }
    let state: JournalState = { replayed: 0, errors: [] };
    const sf = stateFile(file);
    if (fs.existsSync(sf))
      state = { ...state, ...(JSON.parse(fs.readFileSync(sf, "utf8")) as JournalState) };
    return new Journal(file, header, entries, state, false);
  }

  /** Folder holding artifact contents recorded in this journal. */
  get artifactDir(): string {
    return this.file.replace(/\.jsonl$/, ".artifacts");
  }

  /** Appends an operation (synchronously, so a crash right after loses nothing); returns its seq. */
  append(op: JournalOp): number {
    const seq = ++this.lastSeq;
    this.lastOpName = op.op;
    const entry = { ...op, seq } as JournalEntry;
    this.entries.push(entry);
    if (!this.memoryOnly) {
      try {
        fs.appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
      } catch (err) {
        this.memoryOnly = true;
        console.warn(
          `simclr: cannot append to tracking journal ${this.file} (${(err as Error).message}); keeping it in memory`,
        );
      }
    }
    return seq;
  }

  /** Stores artifact content next to the journal; returns the file name to record. */
  storeArtifact(artifactPath: string, content: string | Uint8Array): string {
    const name = `${this.lastSeq + 1}-${path.basename(artifactPath)}`;
    if (this.memoryOnly) {
      this.memoryArtifacts.set(name, content);
      return name;
    }
    fs.mkdirSync(this.artifactDir, { recursive: true });
    fs.writeFileSync(path.join(this.artifactDir, name), content);
    return name;
  }

  private readonly memoryArtifacts = new Map<string, string | Uint8Array>();

  /** Reads artifact content stored by {@link storeArtifact}. */
  readArtifact(name: string): string | Uint8Array {
    const m = this.memoryArtifacts.get(name);
    if (m !== undefined) return m;
    return new Uint8Array(fs.readFileSync(path.join(this.artifactDir, name)));
  }

  /** The last operation appended (undefined for an empty journal). */
  get lastOp(): JournalOp["op"] | undefined {
    return this.lastOpName;
  }

  /** Drops replayed entries from memory (the file keeps them); keeps long runs' memory flat. */
  compact(): void {
    let n = 0;
    while (n < this.entries.length && this.entries[n].seq <= this.state.replayed) n++;
    if (n > 0) this.entries.splice(0, n);
  }

  /** Entries not yet accepted by the server. */
  pending(): JournalEntry[] {
    return this.entries.filter((e) => e.seq > this.state.replayed);
  }

  /** Writes the state side file atomically. */
  saveState(): void {
    if (this.memoryOnly) return;
    const sf = stateFile(this.file);
    const tmp = `${sf}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify(this.state));
      fs.renameSync(tmp, sf);
    } catch (err) {
      console.warn(`simclr: cannot write journal state ${sf}: ${(err as Error).message}`);
    }
  }

  /** True when the run was terminated and everything reached the server. */
  get complete(): boolean {
    return this.lastOpName === "terminate" && this.state.replayed >= this.lastSeq;
  }

  /** Deletes the journal's files (after a complete replay). */
  remove(): void {
    if (this.memoryOnly) return;
    fs.rmSync(this.file, { force: true });
    fs.rmSync(stateFile(this.file), { force: true });
    fs.rmSync(this.artifactDir, { recursive: true, force: true });
  }
}

function stateFile(file: string): string {
  return file.replace(/\.jsonl$/, ".state.json");
}

function countOf(e: JournalEntry): { m: number; p: number; t: number } {
  if (e.op === "metrics") return { m: e.metrics.length, p: 0, t: 0 };
  if (e.op === "params") return { m: 0, p: e.params.length, t: 0 };
  if (e.op === "tags") return { m: 0, p: 0, t: e.tags.length };
  return { m: 0, p: 0, t: 0 };
}

function isLogOp(
  e: JournalEntry,
): e is Extract<JournalEntry, { op: "metrics" | "params" | "tags" }> {
  return e.op === "metrics" || e.op === "params" || e.op === "tags";
}

/** Groups consecutive log entries so that each group fits one log-batch request. */
function nextGroup(pending: JournalEntry[], start: number): JournalEntry[] {
  const first = pending[start];
  if (!isLogOp(first)) return [first];
  const group: JournalEntry[] = [first];
  const tot = countOf(first);
  for (let i = start + 1; i < pending.length; i++) {
    const e = pending[i];
    if (!isLogOp(e)) break;
    const c = countOf(e);
    const m = tot.m + c.m;
    const p = tot.p + c.p;
    const t = tot.t + c.t;
    if (
      m > MLFLOW_LIMITS.metricsPerBatch ||
      p > MLFLOW_LIMITS.paramsPerBatch ||
      t > MLFLOW_LIMITS.tagsPerBatch ||
      m + p + t > MLFLOW_LIMITS.entitiesPerBatch
    )
      break;
    tot.m = m;
    tot.p = p;
    tot.t = t;
    group.push(e);
  }
  return group;
}

/** A batch of the group's entries; metrics of the model carry `modelId` (when it was logged). */
function batchOf(group: JournalEntry[], modelId: string | undefined): LogBatch {
  const b: Required<LogBatch> = { metrics: [], params: [], tags: [] };
  for (const e of group) {
    if (e.op === "metrics" && e.ofModel && modelId)
      b.metrics.push(...e.metrics.map((m) => ({ ...m, modelId })));
    else if (e.op === "metrics") b.metrics.push(...e.metrics);
    else if (e.op === "params") b.params.push(...e.params);
    else if (e.op === "tags") b.tags.push(...e.tags);
  }
  return b;
}

async function sendOne(j: Journal, client: MlflowClient, e: JournalEntry): Promise<void> {
  if (e.op === "create") {
    if (j.state.runId) return;
    const experimentId = await client.getOrCreateExperiment(e.experiment);
    if (e.runId) {
      await client.setTags(e.runId, { ...e.tags, [JOURNAL_ID_TAG]: j.header.journalId });
      await client.updateRun(e.runId, { status: "RUNNING" });
      j.state.runId = e.runId;
      j.state.experimentId = experimentId;
      j.saveState();
      return;
    }
    // a previous replay may have created the run and died before saving the state
    const prior = await client.searchRuns({
      experimentIds: [experimentId],
      filter: `tags.\`${JOURNAL_ID_TAG}\` = '${j.header.journalId}'`,
      maxResults: 1,
    });
    const runId =
      prior.runs[0]?.info.runId ??
      (
        await client.createRun({
          experimentId,
          runName: e.runName,
          startTime: e.startTime,
          tags: { ...e.tags, [JOURNAL_ID_TAG]: j.header.journalId },
        })
      ).runId;
    j.state.runId = runId;
    j.state.experimentId = experimentId;
    j.saveState();
    return;
  }
  const runId = j.state.runId;
  if (!runId)
    throw new Error(`journal ${j.file}: entry ${e.seq} (${e.op}) comes before the run was created`);
  if (isLogOp(e)) await client.logBatch(runId, batchOf([e], j.state.modelId));
  else if (e.op === "artifact")
    await client.uploadArtifact(runId, e.artifactPath, j.readArtifact(e.file));
  else if (e.op === "inputs") await client.logInputs(runId, e.datasets);
  else if (e.op === "model") await sendModel(j, client, e, runId);
  else if (e.op === "terminate") await client.terminateRun(runId, e.status, e.endTime);
}

/**
 * Creates the run's logged model (once: its id is saved before the files go up), uploads its files
 * to the model's artifact location, finalizes it READY and links it to the run's outputs; a replay
 * after a failure part-way reuses the model and sends the rest again.
 */
async function sendModel(
  j: Journal,
  client: MlflowClient,
  e: Extract<JournalEntry, { op: "model" }>,
  runId: string,
): Promise<void> {
  if (j.state.modelDone) return;
  let model = j.state.modelId ? await client.getLoggedModel(j.state.modelId) : undefined;
  if (!model) {
    const experimentId = j.state.experimentId ?? (await client.getRun(runId)).info.experimentId;
    model = await client.createLoggedModel({
      experimentId,
      name: e.name,
      modelType: e.modelType,
      sourceRunId: runId,
      params: e.params,
      tags: e.tags,
    });
    j.state.modelId = model.modelId;
    j.saveState();
  }
  for (const f of e.files) await client.uploadModelArtifact(model, f.path, j.readArtifact(f.file));
  if (model.status !== "LOGGED_MODEL_READY")
    await client.finalizeLoggedModel(model.modelId, "READY");
  await client.logOutputs(runId, [{ modelId: model.modelId, step: e.step }]);
  j.state.modelDone = true;
  j.saveState();
}

/**
 * Sends a journal's pending entries to the server in order, advancing the replay offset after each
 * accepted request. Stops at the first transient error (server down), leaving the rest pending.
 * Entries the server rejects permanently are retried one by one, then skipped with a warning and
 * recorded in the state's `errors`.
 */
export async function replayJournal(j: Journal, client: MlflowClient): Promise<ReplayResult> {
  const pending = j.pending();
  let sent = 0;
  let i = 0;
  let stoppedBy: string | undefined;
  while (i < pending.length) {
    const group = nextGroup(pending, i);
    try {
      if (group.length === 1) await sendOne(j, client, group[0]);
      else {
        if (!j.state.runId)
          throw new Error(`journal ${j.file}: log entries come before the run was created`);
        await client.logBatch(j.state.runId, batchOf(group, j.state.modelId));
      }
    } catch (err) {
      if (isTransientError(err)) {
        stoppedBy = (err as Error).message;
        break;
      }
      if (group.length > 1) {
        // isolate the rejected entry: send this group one entry at a time
        let stop = false;
        for (const e of group) {
          try {
            await sendOne(j, client, e);
          } catch (inner) {
            if (isTransientError(inner)) {
              stoppedBy = (inner as Error).message;
              stop = true;
              break;
            }
            recordError(j, e, inner);
          }
          j.state.replayed = e.seq;
          sent++;
          j.saveState();
        }
        if (stop) break;
        i += group.length;
        continue;
      }
      if (group[0].op === "create") throw err; // no run: nothing else can be replayed
      recordError(j, group[0], err);
    }
    j.state.replayed = group[group.length - 1].seq;
    sent += group.length;
    j.saveState();
    i += group.length;
  }
  const out: ReplayResult = { sent, pending: j.pending().length, complete: j.complete };
  if (j.state.runId) out.runId = j.state.runId;
  if (stoppedBy) out.stoppedBy = stoppedBy;
  return out;
}

function recordError(j: Journal, e: JournalEntry, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  j.state.errors.push({ seq: e.seq, message });
  console.warn(
    `simclr: MLflow rejected journal entry ${e.seq} (${e.op}) of ${path.basename(j.file)}: ${message}`,
  );
}

/** Outcome of syncing one journal file. */
export interface SyncOutcome {
  file: string;
  experiment: string;
  runId?: string;
  sent: number;
  pending: number;
  complete: boolean;
  /** Why it was not (fully) synced. */
  note?: string;
}

/**
 * Replays every journal in `dir` (what `simclr mlflow sync` does). Journals owned by a live
 * process are left to it unless `force`. Completely replayed, terminated journals are deleted.
 * `uri` overrides the URI recorded in each journal.
 */
export async function syncJournals(
  opts: {
    dir?: string;
    uri?: string;
    force?: boolean;
    markOrphansKilled?: boolean;
    credentials?: TrackingCredentials;
  } = {},
): Promise<SyncOutcome[]> {
  const dir = opts.dir ?? defaultJournalDir();
  if (!fs.existsSync(dir)) return [];
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs);
  const out: SyncOutcome[] = [];
  const clients = new Map<string, MlflowClient>();
  for (const file of files) {
    let j: Journal;
    try {
      j = Journal.open(file);
    } catch (err) {
      out.push({
        file,
        experiment: "?",
        sent: 0,
        pending: 0,
        complete: false,
        note: `unreadable: ${(err as Error).message}`,
      });
      continue;
    }
    const base: SyncOutcome = {
      file,
      experiment: j.header.experiment,
      sent: 0,
      pending: j.pending().length,
      complete: j.complete,
    };
    if (j.state.runId) base.runId = j.state.runId;
    const owner = j.state.ownerPid;
    if (!opts.force && owner && owner !== process.pid && pidAlive(owner)) {
      out.push({ ...base, note: `owned by running process ${owner} (use --force to sync anyway)` });
      continue;
    }
    const lastOp = j.lastOp;
    const orphan = owner !== process.pid && (!owner || !pidAlive(owner));
    if (
      orphan &&
      (opts.markOrphansKilled ?? true) &&
      lastOp !== "terminate" &&
      j.entries.some((e) => e.op === "create")
    ) {
      // the process that logged this run died without terminating it: never leave it RUNNING
      j.append({
        op: "tags",
        tags: [{ key: "simclr.terminated_by", value: "simclr mlflow sync (owner process gone)" }],
      });
      j.append({ op: "terminate", status: "KILLED", endTime: Date.now() });
    }
    const uri = opts.uri ?? j.header.uri ?? "";
    const key = uri || "<default>";
    let client = clients.get(key);
    if (!client) {
      client = new MlflowClient(
        uri || undefined,
        opts.credentials ? { credentials: opts.credentials } : {},
      );
      clients.set(key, client);
    }
    try {
      const r = await replayJournal(j, client);
      const o: SyncOutcome = { ...base, sent: r.sent, pending: r.pending, complete: r.complete };
      if (r.runId) o.runId = r.runId;
      if (r.stoppedBy) o.note = r.stoppedBy;
      else if (!r.complete) o.note = "run not terminated yet; replayed what was logged";
      if (r.complete) j.remove();
      out.push(o);
    } catch (err) {
      out.push({ ...base, note: (err as Error).message });
    }
  }
  return out;
}
