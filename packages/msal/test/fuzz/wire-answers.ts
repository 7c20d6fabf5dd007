// Answers of an authority (or a managed identity source) as recipes: a status, a content type, a
// body made by mutating a valid document of the kind the endpoint sends, and now and then a
// transport failure. The document is only known when the case runs (an ID token must carry the
// flow's nonce), so the recipe is applied then.
import fc from "fast-check";
import { applyRecipe, documentRecipeArb, type DocumentRecipe } from "./json-mutation.js";
import type { WireAnswer } from "./harness.js";

/** How one answer is made from the valid documents a case offers. */
export interface AnswerRecipe<K extends string> {
  readonly status: number;
  readonly contentType: string | null;
  /** Which of the case's valid documents the body starts from. */
  readonly base: K;
  readonly doc: DocumentRecipe;
  readonly fault: "reject" | "body-error" | undefined;
  readonly retryAfter: string | undefined;
}

const STATUSES = [200, 200, 200, 200, 400, 400, 401, 403, 404, 429, 500, 502, 503, 201, 203, 204, 299, 301, 302, 399];

/** HTTP statuses, mostly the ones authorities send. */
export const statusArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...STATUSES) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 599 }) },
);

/** Content types, mostly JSON. */
export const contentTypeArb: fc.Arbitrary<string | null> = fc.constantFrom(
  "application/json; charset=utf-8",
  "application/json; charset=utf-8",
  "application/json",
  "APPLICATION/JSON",
  "text/html; charset=utf-8",
  "text/plain",
  "application/problem+json",
  null,
);

const faultArb = fc.oneof(
  { weight: 40, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant("reject" as const) },
  { weight: 1, arbitrary: fc.constant("body-error" as const) },
);

const retryAfterArb = fc.oneof(
  { weight: 10, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom("0", "1", "30", "99999999", "-1", "Wed, 21 Oct 2015 07:28:00 GMT", "soon", "") },
);

/** How an answer recipe is drawn. */
export interface AnswerRecipeOptions {
  /** The statuses to draw from; by default mostly 200 and the usual failures. */
  readonly status?: fc.Arbitrary<number>;
  /**
   * How often, in tenths, the answer is a base document exactly as the endpoint sends it (with a
   * 200): cases then get past the answer to what comes after it. Default 2.
   */
  readonly intact?: number;
}

/**
 * A recipe for answers built on one of `bases`, mutated with `keys` as the field names to add
 * or retype.
 */
export function answerRecipeArb<K extends string>(bases: readonly K[], keys: readonly string[], options: AnswerRecipeOptions = {}): fc.Arbitrary<AnswerRecipe<K>> {
  const base = fc.constantFrom(...bases);
  const intact = options.intact ?? 2;
  return fc.oneof(
    {
      weight: intact,
      arbitrary: fc.record({
        status: fc.constant(200),
        contentType: fc.constant("application/json; charset=utf-8"),
        base,
        doc: fc.constant({ mutations: [], text: { kind: "none" as const } }),
        fault: fc.constant(undefined),
        retryAfter: fc.constant(undefined),
      }),
    },
    {
      weight: 10 - intact,
      arbitrary: fc.record({
        status: options.status ?? statusArb,
        contentType: contentTypeArb,
        base,
        doc: documentRecipeArb(keys),
        fault: faultArb,
        retryAfter: retryAfterArb,
      }),
    },
  );
}

/** The answer a recipe makes, given the case's valid document for each base. */
export function buildAnswer<K extends string>(recipe: AnswerRecipe<K>, documents: Readonly<Record<K, unknown>>): WireAnswer {
  return {
    status: recipe.status,
    contentType: recipe.contentType,
    body: applyRecipe(documents[recipe.base], recipe.doc),
    fault: recipe.fault,
    headers: recipe.retryAfter === undefined ? undefined : { "retry-after": recipe.retryAfter },
  };
}

/** The field names of token endpoint answers, successes and errors alike. */
export const TOKEN_RESPONSE_KEYS = [
  "access_token",
  "token_type",
  "expires_in",
  "ext_expires_in",
  "expires_on",
  "refresh_in",
  "scope",
  "refresh_token",
  "id_token",
  "id_token_claims",
  "client_info",
  "foci",
  "error",
  "error_description",
  "error_codes",
  "suberror",
  "claims",
  "correlation_id",
  "error_additional_info",
] as const;

/** A token endpoint's error answer. */
export function errorDocument(error = "invalid_grant"): Record<string, unknown> {
  return {
    error,
    error_description: "AADSTS70000: The provided grant is invalid.",
    error_codes: [70000],
    timestamp: "2024-01-01 00:00:00Z",
    trace_id: "00000000-0000-0000-0000-000000000001",
    correlation_id: "00000000-0000-0000-0000-000000000002",
    suberror: "bad_token",
  };
}
