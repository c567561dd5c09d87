/**
 * JSON request bodies, parsed with a bound on nesting. V8's JSON.parse copes with any depth, but the code after
 * it (protobuf decoders, validators, JSON.stringify) recurses and would overflow the stack on a body of 100k
 * nested arrays; such a body is bad input, answered 400 like any other.
 */
import { InvalidRequestError } from './errors.js';

/** Far deeper than any request this service reads (an A2A message is about 8 levels deep). */
export const MAX_JSON_DEPTH = 64;

/** Whether JSON text nests deeper than `limit`, counted on the text itself (brackets outside strings). */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return false;
}

/** Parses a non-empty JSON body; bad JSON and too deep nesting are InvalidRequestError('body', ..., 'invalid_json'). */
export function parseJsonBody(text: string, maxDepth: number = MAX_JSON_DEPTH): unknown {
  if (jsonNestsDeeperThan(text, maxDepth))
    throw new InvalidRequestError('body', `JSON nested deeper than ${maxDepth} levels`, 'invalid_json');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidRequestError(
      'body',
      `malformed JSON (${err instanceof Error ? err.message : 'parse error'})`,
      'invalid_json',
    );
  }
}
