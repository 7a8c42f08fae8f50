import createClient, { mergeHeaders, type Client, type FetchResponse, type MaybeOptionalInit } from "openapi-fetch";

import { errorFromResponse } from "./errors.js";
import { IDEMPOTENT_OPERATIONS } from "./operations.js";
import { Paginator, type Page } from "./pagination.js";
import { DEFAULT_POLICY, retryingFetch, type RetryPolicy } from "./retry.js";
import type { paths } from "./schema.js";

export type Paths = paths;
export type Method = "get" | "put" | "post" | "delete" | "patch";

/** The paths that have `method`. */
export type PathsWith<M extends Method> = {
  [P in keyof paths]: paths[P] extends { [K in M]: {} } ? P : never;
}[keyof paths];

/** What one call may set beyond the operation's parameters and body. */
export interface CallOptions {
  /** Retries after the first attempt; the client's `maxRetries` by default. */
  maxRetries?: number;
  /** Each attempt's limit in milliseconds; the client's `timeoutMs` by default. */
  timeoutMs?: number;
  /**
   * The `Idempotency-Key` of a create or start (operations that take one): by default a
   * new random key per call, the same on every retry of that call. Pass your own to make
   * a call you repeat later (after a crash, say) do its work once.
   */
  idempotencyKey?: string;
}

type Init<P extends keyof paths, M extends Method> = NonNullable<MaybeOptionalInit<paths[P], M>> & CallOptions;

/** The init argument: required when the operation has required parameters or a body. */
export type InitArgs<P extends keyof paths, M extends Method> =
  undefined extends MaybeOptionalInit<paths[P], M> ? [init?: Init<P, M>] : [init: Init<P, M>];

type Answer<P extends keyof paths, M extends Method> = M extends keyof paths[P]
  ? paths[P][M] extends Record<string | number, any>
    ? FetchResponse<paths[P][M], {}, "application/json">["data"]
    : never
  : never;

/** What a successful call returns: the answer's JSON body (undefined for a 204). */
export type Data<P extends keyof paths, M extends Method> = [Exclude<Answer<P, M>, undefined>] extends [never]
  ? undefined
  : Exclude<Answer<P, M>, undefined>;

/** The GET paths that answer a page: `{"data": [...], "next_page_token": ...}`. */
export type ListPath = {
  [P in PathsWith<"get">]: Data<P, "get"> extends { data: unknown[]; next_page_token?: unknown } ? P : never;
}[PathsWith<"get">];

/** An item of the list at `P`. */
export type ItemOf<P extends ListPath> = Data<P, "get"> extends { data: (infer I)[] } ? I : never;

export interface KanriOptions {
  /** Where kanri answers, such as `https://kanri.example.com` (no `/v1`). */
  baseUrl: string;
  /** A key: `kanri_sk_…` (secret), `kanri_pk_…` (publishable, for browsers) or `kanri_ak_…` (admin). */
  apiKey?: string;
  /** Admin keys: the project (id or name) to act on (`Kanri-Project`). */
  project?: string;
  /** The environment (id or name) to act in (`Kanri-Environment`); default: the key's. */
  environment?: string;
  /** Retries after the first attempt of a call (default 2). */
  maxRetries?: number;
  /** Each attempt's limit in milliseconds (default 60 000). */
  timeoutMs?: number;
  /** The first retry's wait before jitter, doubled for each next one (default 500 ms). */
  initialRetryDelayMs?: number;
  /** The longest wait between attempts without `Retry-After` (default 8 000 ms). */
  maxRetryDelayMs?: number;
  /** A `Retry-After` longer than this (default 60 000 ms) is thrown, not waited for. */
  maxRetryAfterMs?: number;
  /** Headers sent with every call. */
  headers?: Record<string, string>;
  /** The fetch to send with (default: globalThis.fetch). */
  fetch?: typeof fetch;
}

/**
 * A kanri client. Each method takes a path of the API as the OpenAPI document writes it
 * and that operation's typed `params` and `body`, and returns the answer's body or throws
 * a KanriError:
 *
 *     const kanri = new Kanri({ baseUrl: "http://127.0.0.1:8000", apiKey });
 *     const run = await kanri.post("/v1/automations/{automation_id}/runs", {
 *       params: { path: { automation_id: "refund" }, query: { wait: 10 } },
 *       body: { inputs: { amount: 40 } },
 *     });
 *     for await (const item of kanri.list("/v1/runs", { params: { query: { filter: 'status = "failed"' } } })) { … }
 *
 * `raw` is the underlying openapi-fetch client (same retries; answers `{data, error, response}`).
 */
export class Kanri {
  readonly raw: Client<paths, "application/json">;
  readonly policy: RetryPolicy;
  private readonly send: typeof fetch | undefined;

  constructor(options: KanriOptions) {
    if (!options.baseUrl) throw new TypeError("Kanri: baseUrl is required");
    this.policy = {
      maxRetries: options.maxRetries ?? DEFAULT_POLICY.maxRetries,
      timeoutMs: options.timeoutMs ?? DEFAULT_POLICY.timeoutMs,
      initialDelayMs: options.initialRetryDelayMs ?? DEFAULT_POLICY.initialDelayMs,
      maxDelayMs: options.maxRetryDelayMs ?? DEFAULT_POLICY.maxDelayMs,
      maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_POLICY.maxRetryAfterMs,
    };
    this.send = options.fetch;
    const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
    if (options.apiKey) headers["Authorization"] = `Bearer ${options.apiKey}`;
    if (options.project) headers["Kanri-Project"] = options.project;
    if (options.environment) headers["Kanri-Environment"] = options.environment;
    this.raw = createClient<paths, "application/json">({
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
      headers,
      fetch: retryingFetch(this.policy, this.send),
    });
  }

  get<P extends PathsWith<"get">>(path: P, ...init: InitArgs<P, "get">): Promise<Data<P, "get">> {
    return this.call("get", path, init[0]);
  }

  post<P extends PathsWith<"post">>(path: P, ...init: InitArgs<P, "post">): Promise<Data<P, "post">> {
    return this.call("post", path, init[0]);
  }

  put<P extends PathsWith<"put">>(path: P, ...init: InitArgs<P, "put">): Promise<Data<P, "put">> {
    return this.call("put", path, init[0]);
  }

  patch<P extends PathsWith<"patch">>(path: P, ...init: InitArgs<P, "patch">): Promise<Data<P, "patch">> {
    return this.call("patch", path, init[0]);
  }

  delete<P extends PathsWith<"delete">>(path: P, ...init: InitArgs<P, "delete">): Promise<Data<P, "delete">> {
    return this.call("delete", path, init[0]);
  }

  /**
   * Every item of a list, fetching pages as it is iterated (`for await`); `.pages()` gives
   * the pages, `.toArray()` the items. `params.query` sets the filter, order and page size.
   */
  list<P extends ListPath>(path: P, ...init: InitArgs<P, "get">): Paginator<ItemOf<P>, Page<ItemOf<P>>> {
    const given = (init[0] ?? {}) as { params?: { query?: Record<string, unknown> } };
    return new Paginator(async (pageToken) => {
      const params = { ...given.params, query: { ...given.params?.query, page_token: pageToken } };
      const page = await this.call("get", path, { ...given, params });
      return page as unknown as Page<ItemOf<P>>;
    });
  }

  private async call(method: Method, path: string, init: object | undefined): Promise<any> {
    const { maxRetries, timeoutMs, idempotencyKey, ...rest } = (init ?? {}) as CallOptions & {
      headers?: Record<string, string>;
      params?: { header?: Record<string, unknown> };
    };
    const options: Record<string, unknown> = { ...rest };
    if (IDEMPOTENT_OPERATIONS.has(`${method.toUpperCase()} ${path}`)) {
      const given = mergeHeaders(rest.headers, rest.params?.header as Record<string, string> | undefined);
      if (idempotencyKey !== undefined || !given.has("Idempotency-Key")) {
        options["headers"] = mergeHeaders(rest.headers, { "Idempotency-Key": idempotencyKey ?? newIdempotencyKey() });
      }
    }
    if (maxRetries !== undefined || timeoutMs !== undefined) {
      const policy = { ...this.policy, maxRetries: maxRetries ?? this.policy.maxRetries, timeoutMs: timeoutMs ?? this.policy.timeoutMs };
      options["fetch"] = retryingFetch(policy, this.send);
    }
    const request = this.raw.request as (m: string, p: string, o: object) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
    const { data, error, response } = await request(method, path, options);
    if (!response.ok) throw errorFromResponse(response, error);
    return data;
  }
}

/** A random UUID (version 4), from crypto.getRandomValues: also in pages served over plain HTTP. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
