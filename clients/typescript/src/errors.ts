/**
 * The errors a call throws: one class per family of RFC 9457 problems kanri answers
 * (docs/errors.md lists every `code`), each carrying the problem document.
 *
 *     KanriError
 *     ├── BadRequest           400 (and the other 4xx: 405, 413, 415, …)
 *     ├── AuthenticationError  401
 *     ├── PaymentRequired      402 (a budget is spent)
 *     ├── PermissionDenied     403
 *     ├── NotFound             404
 *     ├── Conflict             409 (`conflictingId`)
 *     ├── ValidationError      422 (`errors`, one per field)
 *     ├── RateLimited          429 (`retryAfter`, seconds)
 *     ├── ServerError          5xx
 *     └── ConnectionError      no answer: refused, reset, timed out (`timedOut`)
 */

import type { components } from "./schema.js";

/** The problem document of an error answer (`application/problem+json`). */
export type Problem = components["schemas"]["Problem"];

/** One offending input of a problem: `field` is a dotted path such as `body.name`. */
export interface FieldError {
  field: string;
  message: string;
  code?: string;
}

export class KanriError extends Error {
  override name = "KanriError";
  /** HTTP status; 0 when no answer came (ConnectionError). */
  readonly status: number;
  /** The stable code clients branch on, such as `NOT_FOUND`. */
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly type: string;
  readonly errors: FieldError[];
  /** kanri's id of the request (also the `X-Request-Id` header): quote it in reports. */
  readonly requestId: string | null;
  /** The whole problem document, members beyond the standard ones included. */
  readonly problem: Problem;
  /** The answer's headers (empty for a ConnectionError). */
  readonly headers: Headers;

  constructor(problem: Problem, headers: Headers = new Headers(), options?: { cause?: unknown }) {
    const requestId = problem.request_id ?? headers.get("X-Request-Id");
    super(describe(problem, requestId ?? null), options);
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.type = problem.type;
    this.errors = fieldErrors(problem.errors);
    this.requestId = requestId ?? null;
    this.problem = problem;
    this.headers = headers;
  }
}

export class BadRequest extends KanriError {
  override readonly name = "BadRequest";
}
export class AuthenticationError extends KanriError {
  override readonly name = "AuthenticationError";
}
export class PaymentRequired extends KanriError {
  override readonly name = "PaymentRequired";
}
export class PermissionDenied extends KanriError {
  override readonly name = "PermissionDenied";
}
export class NotFound extends KanriError {
  override readonly name = "NotFound";
}
export class ServerError extends KanriError {
  override readonly name = "ServerError";
}

export class Conflict extends KanriError {
  override readonly name = "Conflict";

  /** The resource that holds the unique value, when the problem names one. */
  get conflictingId(): string | null {
    const id = (this.problem as Record<string, unknown>)["conflicting_id"];
    return typeof id === "string" ? id : null;
  }
}

export class ValidationError extends KanriError {
  override readonly name = "ValidationError";

  /** The field errors by field path (`body.field_values.email` → its messages). */
  get fields(): Record<string, string[]> {
    const byField: Record<string, string[]> = {};
    for (const error of this.errors) {
      (byField[error.field] ??= []).push(error.message);
    }
    return byField;
  }
}

export class RateLimited extends KanriError {
  override readonly name = "RateLimited";

  /** Seconds to wait before the next call, from `Retry-After`; null when absent. */
  get retryAfter(): number | null {
    const milliseconds = retryAfterMs(this.headers);
    return milliseconds === null ? null : Math.ceil(milliseconds / 1000);
  }
}

export class ConnectionError extends KanriError {
  override readonly name = "ConnectionError";
  readonly timedOut: boolean;

  constructor(message: string, options: { timedOut: boolean; cause?: unknown }) {
    super(
      {
        type: "about:blank",
        title: options.timedOut ? "Timed out" : "Connection failed",
        status: 0,
        detail: message,
        code: options.timedOut ? "TIMEOUT" : "CONNECTION_ERROR",
        errors: null,
        request_id: null,
      },
      new Headers(),
      { cause: options.cause },
    );
    this.timedOut = options.timedOut;
  }
}

const BY_STATUS: Record<number, typeof KanriError> = {
  400: BadRequest,
  401: AuthenticationError,
  402: PaymentRequired,
  403: PermissionDenied,
  404: NotFound,
  409: Conflict,
  422: ValidationError,
  429: RateLimited,
};

/** The error for an answer that is not a success; `body` is its parsed (or raw) body. */
export function errorFromResponse(response: Response, body: unknown): KanriError {
  const problem = asProblem(response, body);
  const kind =
    BY_STATUS[response.status] ??
    (response.status >= 500 ? ServerError : response.status >= 400 ? BadRequest : KanriError);
  return new kind(problem, response.headers);
}

function asProblem(response: Response, body: unknown): Problem {
  const given = isObject(body) ? body : {};
  const text = typeof body === "string" ? body.trim().slice(0, 500) : "";
  const title = str(given["title"]) ?? (response.statusText || `HTTP ${response.status}`);
  return {
    ...given,
    type: str(given["type"]) ?? "about:blank",
    title,
    status: typeof given["status"] === "number" ? given["status"] : response.status,
    detail: str(given["detail"]) ?? (text || title),
    code: str(given["code"]) ?? `HTTP_${response.status}`,
    request_id: str(given["request_id"]) ?? response.headers.get("X-Request-Id"),
  } as Problem;
}

function fieldErrors(errors: unknown): FieldError[] {
  if (!Array.isArray(errors)) return [];
  return errors.filter(isObject).map((error) => {
    const out: FieldError = { field: str(error["field"]) ?? "", message: str(error["message"]) ?? "" };
    const code = str(error["code"]);
    if (code !== undefined) out.code = code;
    return out;
  });
}

function describe(problem: Problem, requestId: string | null): string {
  let text = problem.detail && problem.detail !== problem.title ? `${problem.title}: ${problem.detail}` : problem.title;
  for (const error of fieldErrors(problem.errors)) {
    text += `\n  ${error.field}: ${error.message}`;
  }
  const where = [problem.status ? `status ${problem.status}` : null, problem.code, requestId ? `request_id ${requestId}` : null];
  return `${text} (${where.filter(Boolean).join(", ")})`;
}

/** `Retry-After` (delay-seconds or an HTTP date) in milliseconds; null when absent. */
export function retryAfterMs(headers: Headers): number | null {
  const value = headers.get("Retry-After");
  if (value === null || value.trim() === "") return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
