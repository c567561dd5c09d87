/**
 * Gemini responders for the PR author's fix requests, in the shape the fake Gemini server accepts: they answer the
 * minimal edit for the planted bug whose source appears in the prompt, and undefined for any other request.
 * A fix request is recognised by its system prompt ("minimal code fix").
 */
import { PLANTED_BUGS, type PlantedBug } from './seed-repos.js';

export interface FixResponderRequest {
  model: string;
  system: string;
  prompt: string;
  responseSchema?: unknown;
  attempt: number;
}

export type FixResponder = (req: FixResponderRequest) => { json: unknown } | undefined;

export interface FixEdit {
  file: string;
  search: string;
  replace: string;
  rationale: string;
}

const isFixRequest = (req: FixResponderRequest): boolean => /minimal code fix/i.test(req.system);

/** The planted bug whose faulty line is quoted in the prompt (the file's content was included). */
export function plantedBugInPrompt(prompt: string): PlantedBug | undefined {
  return PLANTED_BUGS.find((bug) => prompt.includes(bug.buggyLine) && prompt.includes(bug.path));
}

function respondWith(edit: (bug: PlantedBug) => FixEdit[]): FixResponder {
  return (req) => {
    if (!isFixRequest(req)) return undefined;
    const bug = plantedBugInPrompt(req.prompt);
    return { json: { edits: bug ? edit(bug) : [] } };
  };
}

/** The correct minimal edit. */
export const fixResponder: FixResponder = respondWith((bug) => [{ file: bug.path, ...bug.fix }]);

/** Proposes to edit the CI workflow (must be refused by the denylist). */
export const ciEditFixResponder: FixResponder = respondWith(() => [
  {
    file: '.github/workflows/ci.yml',
    search: 'runs-on: ubuntu-latest',
    replace: 'runs-on: self-hosted',
    rationale: 'faster runners',
  },
]);

/** Proposes a search text that does not occur in the file (must be refused). */
export const mismatchedFixResponder: FixResponder = respondWith((bug) => [
  {
    file: bug.path,
    search: `${bug.fix.search}// this line is not in the file\n`,
    replace: bug.fix.replace,
    rationale: bug.fix.rationale,
  },
]);
