/**
 * A fetch that retries what is safe to retry.
 *
 * - Connection errors and timeouts, and answers 502, 503 and 504, are retried when the
 *   request may be repeated: GET, HEAD, OPTIONS, PUT and DELETE, or a request carrying an
 *   `Idempotency-Key` (kanri replays the first answer to a repeated key, so a create is
 *   done once however often it is sent). A POST or PATCH without one is never repeated.
 * - 429 is retried for every method: kanri refuses a request over its rate limit before
 *   acting on it.
 * - The wait is exponential with jitter (`initialDelayMs` · 2^attempt, capped at
 *   `maxDelayMs`, then between half and all of it) or, when the answer has `Retry-After`,
 *   that long (plus up to a tenth more, so that many clients do not come back at once).
 *   A `Retry-After` longer than `maxRetryAfterMs` is not waited for: the error is thrown.
 * - `timeoutMs` bounds each attempt, the answer's body included.
 *
 * Only standard web APIs are used (fetch, AbortController, setTimeout).
 */

import { ConnectionError, retryAfterMs } from "./errors.js";

export interface RetryPolicy {
  /** Retries after the first attempt (0: none). */
  maxRetries: number;
  /** Each attempt's limit, from sending until the body is read. */
  timeoutMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
}

export const DEFAULT_POLICY: RetryPolicy = {
  maxRetries: 2,
  timeoutMs: 60_000,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

const REPEATABLE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);
const RETRIED_STATUSES = new Set([429, 502, 503, 504]);

export type Fetch = (input: Request) => Promise<Response>;

/** Waits `ms` milliseconds; rejects with the signal's reason when it aborts first. */
export type Sleep = (ms: number, signal: AbortSignal | null) => Promise<void>;

export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** The delay before retry number `attempt + 1` when the answer gave no `Retry-After`. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** attempt);
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** `base` (globalThis.fetch by default) wrapped with `policy`'s retries and timeouts. */
export function retryingFetch(policy: RetryPolicy, base?: typeof fetch, wait: Sleep = sleep): Fetch {
  return async (request) => {
    const send = base ?? globalThis.fetch;
    const caller = request.signal;
    // The body is read once, so that every attempt sends the same bytes.
    const body = request.body === null ? undefined : await request.arrayBuffer();
    const repeatable = REPEATABLE_METHODS.has(request.method) || request.headers.has("Idempotency-Key");
    for (let attempt = 0; ; attempt++) {
      const timeout = new AbortController();
      const onAbort = () => timeout.abort(caller.reason);
      caller.addEventListener("abort", onAbort, { once: true });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        timeout.abort();
      }, policy.timeoutMs);
      const done = () => {
        clearTimeout(timer);
        caller.removeEventListener("abort", onAbort);
      };
      let response: Response;
      try {
        response = await send(request.url, {
          method: request.method,
          headers: request.headers,
          body,
          redirect: request.redirect,
          credentials: request.credentials,
          signal: timeout.signal,
        });
        if (!isStream(response)) {
          // Read within the attempt's time limit; the caller parses the copy.
          response = new Response(response.status === 204 ? null : await response.arrayBuffer(), {
            status: response.status,
            statusText: response.statusText,
            headers: response.headers,
          });
        }
      } catch (error) {
        done();
        if (caller.aborted) throw caller.reason ?? error;
        const failure = new ConnectionError(
          timedOut
            ? `${request.method} ${request.url} got no answer within ${policy.timeoutMs} ms`
            : `${request.method} ${request.url} failed: ${reason(error)}`,
          { timedOut, cause: error },
        );
        if (!repeatable || attempt >= policy.maxRetries) throw failure;
        await wait(backoffMs(policy, attempt), caller);
        continue;
      }
      done();
      if (!RETRIED_STATUSES.has(response.status) || attempt >= policy.maxRetries) return response;
      if (!repeatable && response.status !== 429) return response;
      const asked = retryAfterMs(response.headers);
      if (asked !== null && asked > policy.maxRetryAfterMs) return response;
      const delay = asked === null ? backoffMs(policy, attempt) : asked + Math.random() * asked * 0.1;
      await wait(delay, caller);
    }
  };
}

function isStream(response: Response): boolean {
  return (response.headers.get("Content-Type") ?? "").startsWith("text/event-stream");
}

function reason(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = cause && typeof cause === "object" ? (cause as { code?: unknown }).code : undefined;
    return typeof code === "string" ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
