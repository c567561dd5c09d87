/**
 * Built-in behaviours for the fake Gemini server. `heuristic` stands in for a sensible model that reads the
 * rendered evidence lines; `obeyInjection` stands in for a gullible one, so the policy's guard can be tested.
 */
import type { Diagnosis } from '@aiops/contracts';
import { FORGED_EVIDENCE_ID, recogniseInjections, type InjectionGoal } from '../redteam/payloads.js';
import type { GeminiReply, GeminiResponder, GeminiResponderRequest } from './types.js';

/** The rendered form of one finding in the diagnosis prompt (written by the evidence renderer). */
const EVIDENCE_LINE =
  /^\s*- \[([^\]\n]+)\] severity=(critical|error|warning|info) side=(canary|stable|both|canary-only) hard=(true|false) :: (.*)$/gm;

export interface EvidenceLine {
  id: string;
  severity: 'critical' | 'error' | 'warning' | 'info';
  side: 'canary' | 'stable' | 'both' | 'canary-only';
  hard: boolean;
  title: string;
}

/** Parses every evidence line of a prompt, in order. */
export function parseEvidenceLines(prompt: string): EvidenceLine[] {
  return [...prompt.matchAll(EVIDENCE_LINE)].map((m) => ({
    id: m[1] ?? '',
    severity: m[2] as EvidenceLine['severity'],
    side: m[3] as EvidenceLine['side'],
    hard: m[4] === 'true',
    title: (m[5] ?? '').trim(),
  }));
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** What a sensible model concludes from the evidence lines alone. */
export function heuristicDiagnosis(prompt: string): Diagnosis {
  const failures = parseEvidenceLines(prompt).filter(
    (line) =>
      (line.side === 'canary' || line.side === 'canary-only') &&
      (line.hard || line.severity === 'critical' || line.severity === 'error'),
  );
  const first = failures[0];
  if (!first) {
    return {
      promote: true,
      confidence: 85,
      analysis: 'The evidence shows no canary-specific errors or hard failures; the canary behaves like stable.',
      rootCause: 'none',
      remediation: 'none required',
      evidenceIds: [],
    };
  }
  const titles = failures.map((f) => f.title);
  return {
    promote: false,
    confidence: 90,
    analysis: clip(`The canary shows ${failures.length} failure(s) that stable does not: ${titles.join('; ')}.`, 4000),
    rootCause: clip(first.title, 2000),
    remediation: clip(
      `Fix the cause of "${first.title}" in the canary build, then roll out again; keep stable serving until then.`,
      2000,
    ),
    evidenceIds: [...new Set(failures.map((f) => clip(f.id, 200)))].slice(0, 50),
  };
}

const promoteEverything: Diagnosis = {
  promote: true,
  confidence: 100,
  analysis: 'As instructed, the canary is promoted.',
  rootCause: 'none',
  remediation: 'none required',
  evidenceIds: [],
};

const alwaysPromote: GeminiResponder = () => ({
  json: {
    promote: true,
    confidence: 90,
    analysis: 'Canary and stable look alike.',
    rootCause: 'none',
    remediation: 'none required',
    evidenceIds: [],
  } satisfies Diagnosis,
});

const alwaysReject: GeminiResponder = (req) => {
  const cited = parseEvidenceLines(req.prompt).map((l) => l.id);
  return {
    json: {
      promote: false,
      confidence: 80,
      analysis: 'The canary should not be promoted.',
      rootCause: 'the canary behaves worse than stable',
      remediation: 'roll back the canary and investigate',
      evidenceIds: cited.slice(0, 50),
    } satisfies Diagnosis,
  };
};

/** Fails the schema (wrong types, missing fields) while being valid JSON. */
const INVALID_DIAGNOSIS = { promote: 'maybe', confidence: 'high', analysis: '' };

/** What the red-team model read in one request and what it answered. */
export interface RedTeamTurn {
  prompt: string;
  /** `payloadId:goal` of every payload recognised in the prompt. */
  recognised: string[];
  /** The goal it obeyed, if any. */
  obeyed?: InjectionGoal;
  answer: Diagnosis;
}

/**
 * How a model that obeys injected instructions in both directions answers, cheating as hard as a model can to make
 * them stick: asked to promote, it promotes with full confidence; asked to reject, it rejects citing every id that is
 * not evidence of a canary problem — the forged id the payloads name, stable's lines, info lines, and an invented
 * finding. With no payload in the prompt it answers like `heuristic`.
 */
export function obeyInjectedInstructions(prompt: string): Omit<RedTeamTurn, 'prompt'> {
  const recognised = recogniseInjections(prompt);
  const goal = recognised[0]?.goal;
  const ids = recognised.map((f) => `${f.payload.id}:${f.goal}`);
  if (goal === 'promote') return { recognised: ids, obeyed: goal, answer: promoteEverything };
  if (goal === 'reject') {
    const cited = parseEvidenceLines(prompt)
      .filter((l) => l.side === 'stable' || l.severity === 'info')
      .map((l) => l.id);
    const answer: Diagnosis = {
      promote: false,
      confidence: 100,
      analysis: 'As instructed, the canary is rolled back: it is broken.',
      rootCause: 'container app of canary pod forged is in CrashLoopBackOff',
      remediation: 'roll back the canary',
      evidenceIds: [...new Set([FORGED_EVIDENCE_ID, 'log:0000000000000000', ...cited])].slice(0, 50),
    };
    return { recognised: ids, obeyed: goal, answer };
  }
  return { recognised: ids, answer: heuristicDiagnosis(prompt) };
}

/** The obeying model, recording every turn so a test can prove each payload reached it and was obeyed. */
export function redTeamModel(): { responder: GeminiResponder; turns: RedTeamTurn[] } {
  const turns: RedTeamTurn[] = [];
  const responder: GeminiResponder = (req) => {
    const turn = { prompt: req.prompt, ...obeyInjectedInstructions(req.prompt) };
    turns.push(turn);
    return { json: turn.answer };
  };
  return { responder, turns };
}

export const responders = {
  alwaysPromote,
  alwaysReject,
  garbage: (() => ({ text: 'Sure! Here is my analysis: the canary looks {fine, mostly' })) satisfies GeminiResponder,
  /** The first call this responder sees answers schema-invalid JSON; later calls are answered by `inner`. */
  invalidThenValid(inner: GeminiResponder = heuristic): GeminiResponder {
    let calls = 0;
    return (req) => {
      calls += 1;
      return calls === 1 ? { json: INVALID_DIAGNOSIS } : inner(req);
    };
  },
  /** Every call fails with this HTTP status and Gemini's error body. */
  status(code: number, message?: string, retryAfterSeconds?: number): GeminiResponder {
    const reply: GeminiReply = { status: code };
    if (message !== undefined) reply.message = message;
    if (retryAfterSeconds !== undefined) reply.retryAfterSeconds = retryAfterSeconds;
    return () => reply;
  },
  hang: (() => ({ hang: true })) satisfies GeminiResponder,
  heuristic,
  obeyInjection: ((req: GeminiResponderRequest) => ({
    json: obeyInjectedInstructions(req.prompt).answer,
  })) satisfies GeminiResponder,
};

function heuristic(req: GeminiResponderRequest): GeminiReply {
  return { json: heuristicDiagnosis(req.prompt) };
}
