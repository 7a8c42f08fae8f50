/**
 * @kanri/client against a live kanri (test/harness.ts starts it): typed calls of several
 * areas, the problem errors, pagination, idempotency keys and retries (through a proxy
 * that drops connections and answers 429/503 on demand).
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  AuthenticationError,
  BadRequest,
  Conflict,
  ConnectionError,
  DEFAULT_POLICY,
  Kanri,
  KanriError,
  NotFound,
  PaymentRequired,
  PermissionDenied,
  RateLimited,
  ServerError,
  ValidationError,
  paginate,
  retryingFetch,
  type RetryPolicy,
} from "@kanri/client";
import { FaultyProxy, KanriServer, freePort } from "./harness.js";

let server: KanriServer;
let proxy: FaultyProxy;
let admin: Kanri;
let kanri: Kanri;
let secretKey: string;
const suffix = Date.now().toString(36);

// Retries without waiting long: the waits themselves are checked with a recording sleep.
const FAST = { initialRetryDelayMs: 1, maxRetryDelayMs: 5 };

before(async () => {
  server = await KanriServer.start();
  proxy = await FaultyProxy.start(server.baseUrl);
  admin = new Kanri({ baseUrl: server.baseUrl, apiKey: server.bootstrap(`ts-${suffix}`) });
  await admin.post("/v1/projects", { body: { name: `shop-${suffix}` } });
  const created = await admin.post("/v1/projects/{project_id}/api-keys", {
    params: { path: { project_id: `shop-${suffix}` } },
    body: { name: "backend" },
  });
  secretKey = created.key;
  kanri = new Kanri({ baseUrl: server.baseUrl, apiKey: secretKey });
});

after(async () => {
  await proxy?.stop();
  await server?.stop();
});

describe("typed calls", () => {
  test("an automation is created, published and run to its outputs", async () => {
    const automation = await kanri.post("/v1/automations", {
      body: {
        name: "refund",
        definition: {
          inputs: { type: "object", properties: { amount: { type: "number" } }, required: ["amount"] },
          steps: [{ id: "pay", kind: "transform", output: { refunded: "{{ inputs.amount }}" } }],
        },
      },
    });
    assert.equal(automation.name, "refund");
    const published = await kanri.post("/v1/automations/{automation_id}/publish", {
      params: { path: { automation_id: "refund" } },
    });
    assert.equal(published.version, 1);
    const run = await kanri.post("/v1/automations/{automation_id}/runs", {
      params: { path: { automation_id: "refund" }, query: { wait: 20 } },
      body: { inputs: { amount: 40 } },
    });
    assert.equal(run.status, "completed");
    assert.deepEqual(run.outputs, { refunded: 40 });
    const again = await kanri.get("/v1/runs/{run_id}", { params: { path: { run_id: run.id } } });
    assert.equal(again.id, run.id);
    const listed = await kanri.list("/v1/runs", { params: { query: { filter: `automation_id = "${automation.id}"` } } }).toArray();
    assert.deepEqual(
      listed.map((item) => item.id),
      [run.id],
    );
  });

  test("environments: create, get, update, delete", async () => {
    const created = await kanri.post("/v1/environments", { body: { name: "staging", description: "before production" } });
    const read = await kanri.get("/v1/environments/{environment_id}", { params: { path: { environment_id: "staging" } } });
    assert.equal(read.id, created.id);
    const updated = await kanri.patch("/v1/environments/{environment_id}", {
      params: { path: { environment_id: created.id } },
      body: { description: "tried here first" },
    });
    assert.equal(updated.description, "tried here first");
    const deleted = await kanri.delete("/v1/environments/{environment_id}", { params: { path: { environment_id: created.id } } });
    assert.equal(deleted, undefined);
    await assert.rejects(
      kanri.get("/v1/environments/{environment_id}", { params: { path: { environment_id: created.id } } }),
      NotFound,
    );
  });

  test("records: an object, a field, records created, updated and read", async () => {
    await kanri.post("/v1/objects", { body: { slug: "contact", name: "Contact" } });
    await kanri.post("/v1/objects/{object_id}/fields", {
      params: { path: { object_id: "contact" } },
      body: { slug: "email", name: "E-mail", type: "email", unique: true },
    });
    const ada = await kanri.post("/v1/objects/{object_id}/records", {
      params: { path: { object_id: "contact" } },
      body: { field_values: { email: "ada@example.com" } },
    });
    const updated = await kanri.patch("/v1/objects/{object_id}/records/{record_id}", {
      params: { path: { object_id: "contact", record_id: ada.id } },
      body: { field_values: { email: "ada@example.org" } },
    });
    assert.equal(updated.field_values["email"], "ada@example.org");
    const page = await kanri.post("/v1/objects/{object_id}/records:query", {
      params: { path: { object_id: "contact" } },
      body: { filter: 'email = "ada@example.org"' },
    });
    assert.deepEqual(
      page.data.map((record) => record.id),
      [ada.id],
    );
  });

  test("the raw openapi-fetch client answers {data, error, response}", async () => {
    const { data, error, response } = await kanri.raw.GET("/v1/environments/current");
    assert.equal(error, undefined);
    assert.equal(response.status, 200);
    assert.equal(typeof data?.id, "string");
  });
});

describe("problem errors", () => {
  test("an unknown resource is a NotFound carrying the problem and its request id", async () => {
    const error = await rejection(kanri.get("/v1/automations/{automation_id}", { params: { path: { automation_id: "nope" } } }));
    assert.ok(error instanceof NotFound && error instanceof KanriError && error instanceof Error);
    assert.equal(error.name, "NotFound");
    assert.equal(error.status, 404);
    assert.equal(error.code, "NOT_FOUND");
    assert.match(error.requestId ?? "", /^req_/);
    assert.equal(error.requestId, error.headers.get("X-Request-Id"));
    assert.ok(error.message.includes(`request_id ${error.requestId}`), error.message);
    assert.ok(error.message.includes(error.detail), error.message);
  });

  test("a body breaking the schema is a ValidationError naming each field", async () => {
    const error = await rejection(
      kanri.post("/v1/automations", {
        body: { name: "Not A Slug!", definition: { steps: [{ id: "x", kind: "no-such-kind" }] } } as never,
      }),
    );
    assert.ok(error instanceof ValidationError, String(error));
    assert.equal(error.status, 422);
    assert.ok(error.errors.length >= 1);
    assert.ok(error.errors.some((item) => item.field.startsWith("body.")), JSON.stringify(error.errors));
    for (const item of error.errors) assert.ok(error.message.includes(item.field), error.message);
    assert.deepEqual(Object.keys(error.fields).sort(), [...new Set(error.errors.map((e) => e.field))].sort());
  });

  test("a taken unique value is a Conflict naming the record that holds it", async () => {
    const held = await kanri.post("/v1/objects/{object_id}/records", {
      params: { path: { object_id: "contact" } },
      body: { field_values: { email: "grace@example.com" } },
    });
    const error = await rejection(
      kanri.post("/v1/objects/{object_id}/records", {
        params: { path: { object_id: "contact" } },
        body: { field_values: { email: "grace@example.com" } },
      }),
    );
    assert.ok(error instanceof Conflict, String(error));
    assert.equal(error.conflictingId, held.id);
  });

  test("a bad filter is a BadRequest", async () => {
    const error = await rejection(kanri.list("/v1/runs", { params: { query: { filter: "status = = 1" } } }).toArray());
    assert.ok(error instanceof BadRequest, String(error));
    assert.equal(error.status, 400);
  });

  test("an unknown key is an AuthenticationError", async () => {
    const stranger = new Kanri({ baseUrl: server.baseUrl, apiKey: "kanri_sk_unknown" });
    const error = await rejection(stranger.get("/v1/environments/current"));
    assert.ok(error instanceof AuthenticationError, String(error));
    assert.equal(error.status, 401);
  });

  test("a key without the scope is PermissionDenied", async () => {
    const reader = await admin.post("/v1/projects/{project_id}/api-keys", {
      params: { path: { project_id: `shop-${suffix}` } },
      body: { name: "reader", scopes: ["runs:read"] },
    });
    const limited = new Kanri({ baseUrl: server.baseUrl, apiKey: reader.key });
    const error = await rejection(limited.post("/v1/environments", { body: { name: "nope" } }));
    assert.ok(error instanceof PermissionDenied, String(error));
    assert.equal(error.status, 403);
  });

  test("a project over its rate limit is RateLimited with retryAfter", async () => {
    const name = `limited-${suffix}`;
    await admin.post("/v1/projects", { body: { name } });
    await admin.patch("/v1/projects/{project_id}", { params: { path: { project_id: name } }, body: { rate_limit_per_minute: 1 } });
    const key = await admin.post("/v1/projects/{project_id}/api-keys", { params: { path: { project_id: name } }, body: { name: "k" } });
    const limited = new Kanri({ baseUrl: server.baseUrl, apiKey: key.key, maxRetries: 0 });
    await limited.get("/v1/environments/current");
    const error = await rejection(limited.get("/v1/environments/current"));
    assert.ok(error instanceof RateLimited, String(error));
    assert.equal(error.code, "RATE_LIMITED");
    assert.ok(error.retryAfter !== null && error.retryAfter >= 1 && error.retryAfter <= 60, String(error.retryAfter));
    // Waiting that long is not this client's call when it is over maxRetryAfterMs.
    const patient = new Kanri({ baseUrl: server.baseUrl, apiKey: key.key, maxRetries: 3, maxRetryAfterMs: 0 });
    assert.ok((await rejection(patient.get("/v1/environments/current"))) instanceof RateLimited);
  });

  test("each status maps to its class, and the problem's own members are kept", async () => {
    const expected: [number, Function][] = [
      [400, BadRequest],
      [401, AuthenticationError],
      [402, PaymentRequired],
      [403, PermissionDenied],
      [404, NotFound],
      [405, BadRequest],
      [409, Conflict],
      [413, BadRequest],
      [422, ValidationError],
      [429, RateLimited],
      [500, ServerError],
      [503, ServerError],
    ];
    const client = new Kanri({ baseUrl: proxy.baseUrl, apiKey: secretKey, maxRetries: 0 });
    for (const [status, kind] of expected) {
      proxy.reset();
      const problem = { type: "about:blank", title: `T${status}`, status, detail: "d", code: `C${status}`, budget_id: "bud_1" };
      proxy.plan({ kind: "answer", status, body: JSON.stringify(problem) });
      const error = await rejection(client.get("/v1/environments/current"));
      assert.ok(error instanceof kind, `${status}: ${error.name}`);
      assert.equal(error.name, kind.name);
      assert.equal(error.code, `C${status}`);
      assert.equal((error.problem as Record<string, unknown>)["budget_id"], "bud_1");
    }
  });

  test("5xx answers that are not JSON still make a ServerError with the status", async () => {
    proxy.reset();
    proxy.plan({ kind: "answer", status: 500, headers: { "Content-Type": "text/html", "X-Request-Id": "req_proxy" }, body: "<h1>oops</h1>" });
    const client = new Kanri({ baseUrl: proxy.baseUrl, apiKey: secretKey });
    const error = await rejection(client.get("/v1/environments/current"));
    assert.ok(error instanceof ServerError, String(error));
    assert.equal(error.status, 500);
    assert.equal(error.requestId, "req_proxy");
    assert.match(error.message, /<h1>oops<\/h1>.*request_id req_proxy/s);
  });
});

describe("pagination", () => {
  test("a list of 250 records pages with its tokens, item by item and page by page", async () => {
    await kanri.post("/v1/objects", { body: { slug: "item", name: "Item" } });
    await kanri.post("/v1/objects/{object_id}/fields", {
      params: { path: { object_id: "item" } },
      body: { slug: "n", name: "N", type: "number" },
    });
    await kanri.post("/v1/objects/{object_id}/records:batchCreate", {
      params: { path: { object_id: "item" } },
      body: { records: Array.from({ length: 250 }, (_, n) => ({ field_values: { n } })) },
    });
    const query = { params: { path: { object_id: "item" }, query: { page_size: 60, order_by: "n" } } };
    const items = [];
    for await (const record of kanri.list("/v1/objects/{object_id}/records", query)) items.push(record.field_values["n"]);
    assert.deepEqual(
      items,
      Array.from({ length: 250 }, (_, n) => n),
    );
    const sizes = [];
    for await (const page of kanri.list("/v1/objects/{object_id}/records", query).pages()) sizes.push(page.data.length);
    assert.deepEqual(sizes, [60, 60, 60, 60, 10]);
    assert.equal((await kanri.list("/v1/objects/{object_id}/records", query).toArray(70)).length, 70);
  });

  test("paginate() pages a POST query that takes its token in the body", async () => {
    const records = paginate((pageToken) =>
      kanri.post("/v1/objects/{object_id}/records:query", {
        params: { path: { object_id: "item" } },
        body: { filter: "n >= 200", order_by: "n desc", page_size: 20, page_token: pageToken ?? null },
      }),
    );
    const values = (await records.toArray()).map((record) => record.field_values["n"]);
    assert.deepEqual(
      values,
      Array.from({ length: 50 }, (_, n) => 249 - n),
    );
  });
});

describe("idempotency and retries", () => {
  const through = (options: Partial<ConstructorParameters<typeof Kanri>[0]> = {}) =>
    new Kanri({ baseUrl: proxy.baseUrl, apiKey: secretKey, ...FAST, ...options });
  const isPost = (path: string) => (seen: { method: string; path: string }) => seen.method === "POST" && seen.path.startsWith(path);

  test("a create whose answer is lost is sent again with the same key and made once", async () => {
    proxy.reset();
    proxy.plan({ kind: "drop-after-answer" }, isPost("/v1/environments"));
    const created = await through().post("/v1/environments", { body: { name: "dropped" } });
    const posts = proxy.seen.filter((seen) => seen.method === "POST");
    assert.equal(posts.length, 2);
    const keys = posts.map((seen) => seen.headers["idempotency-key"]);
    assert.match(String(keys[0]), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(keys[1], keys[0]);
    const named = await kanri.list("/v1/environments", { params: { query: { filter: 'name = "dropped"' } } }).toArray();
    assert.deepEqual(
      named.map((environment) => environment.id),
      [created.id],
    );
  });

  test("each call of a create gets its own key; a caller's own key makes a repeat a replay", async () => {
    proxy.reset();
    const client = through();
    await client.post("/v1/environments", { body: { name: "first" } });
    await client.post("/v1/environments", { body: { name: "second" } });
    const keys = proxy.seen.map((seen) => seen.headers["idempotency-key"]);
    assert.equal(new Set(keys).size, 2);
    const once = await client.post("/v1/environments", { body: { name: "third" }, idempotencyKey: `third-${suffix}` });
    const twice = await client.post("/v1/environments", { body: { name: "third" }, idempotencyKey: `third-${suffix}` });
    assert.equal(twice.id, once.id);
    const viaHeader = await client.post("/v1/environments", {
      params: { header: { "Idempotency-Key": `third-${suffix}` } },
      body: { name: "third" },
    });
    assert.equal(viaHeader.id, once.id);
  });

  test("a POST that takes no Idempotency-Key is not sent again after a lost answer", async () => {
    proxy.reset();
    proxy.plan({ kind: "drop-after-answer" }, isPost("/v1/objects/contact/records:query"));
    const error = await rejection(
      through().post("/v1/objects/{object_id}/records:query", { params: { path: { object_id: "contact" } }, body: {} }),
    );
    assert.ok(error instanceof ConnectionError, String(error));
    assert.equal(error.timedOut, false);
    assert.equal(proxy.seen.length, 1);
    assert.equal(proxy.seen[0]!.headers["idempotency-key"], undefined);
  });

  test("503 and 429 are retried, 429 also for a POST without a key; maxRetries bounds it", async () => {
    proxy.reset();
    proxy.plan({ kind: "answer", status: 503, body: "{}" });
    proxy.plan({ kind: "answer", status: 429, body: "{}" });
    const current = await through().get("/v1/environments/current");
    assert.equal(typeof current.id, "string");
    assert.equal(proxy.seen.length, 3);

    proxy.reset();
    proxy.plan({ kind: "answer", status: 429, headers: { "Retry-After": "0" }, body: "{}" });
    await through().post("/v1/objects/{object_id}/records:query", { params: { path: { object_id: "contact" } }, body: {} });
    assert.equal(proxy.seen.length, 2);

    proxy.reset();
    proxy.plan({ kind: "answer", status: 503, body: "{}" });
    const error = await rejection(
      through().post("/v1/objects/{object_id}/records:query", { params: { path: { object_id: "contact" } }, body: {} }),
    );
    assert.ok(error instanceof ServerError && error.status === 503, String(error));
    assert.equal(proxy.seen.length, 1);

    proxy.reset();
    for (let n = 0; n < 3; n++) proxy.plan({ kind: "answer", status: 502, body: "{}" });
    const exhausted = await rejection(through({ maxRetries: 1 }).get("/v1/environments/current"));
    assert.ok(exhausted instanceof ServerError && exhausted.status === 502, String(exhausted));
    assert.equal(proxy.seen.length, 2);
    proxy.reset();
    proxy.plan({ kind: "answer", status: 502, body: "{}" });
    await rejection(through().get("/v1/environments/current", { maxRetries: 0 }));
    assert.equal(proxy.seen.length, 1);
  });

  test("the waits grow with jitter, and Retry-After is waited for", async () => {
    const waits: number[] = [];
    const policy: RetryPolicy = { ...DEFAULT_POLICY, maxRetries: 3, initialDelayMs: 100, maxDelayMs: 300 };
    const send = retryingFetch(policy, undefined, async (ms) => void waits.push(ms));
    proxy.reset();
    proxy.plan({ kind: "answer", status: 503 });
    proxy.plan({ kind: "answer", status: 504 });
    proxy.plan({ kind: "answer", status: 429, headers: { "Retry-After": "2" } });
    const answer = await send(new Request(`${proxy.baseUrl}/health`));
    assert.equal(answer.status, 200);
    assert.equal(waits.length, 3);
    assert.ok(waits[0]! >= 50 && waits[0]! <= 100, String(waits));
    assert.ok(waits[1]! >= 100 && waits[1]! <= 200, String(waits));
    assert.ok(waits[2]! >= 2000 && waits[2]! <= 2200, String(waits));
  });

  test("an answer that does not come in time is a timed-out ConnectionError after the retries", async () => {
    proxy.reset();
    proxy.plan({ kind: "hang" });
    proxy.plan({ kind: "hang" });
    const error = await rejection(through({ timeoutMs: 300, maxRetries: 1 }).get("/v1/environments/current"));
    assert.ok(error instanceof ConnectionError && error.timedOut, String(error));
    assert.equal(proxy.seen.length, 2);
    proxy.reset();
    proxy.plan({ kind: "hang" });
    const current = await through({ maxRetries: 1 }).get("/v1/environments/current", { timeoutMs: 300 });
    assert.equal(typeof current.id, "string");
  });

  test("a refused connection is retried for a GET, then a ConnectionError", async () => {
    const waits: number[] = [];
    const closed = `http://127.0.0.1:${await freePort()}`;
    const send = retryingFetch({ ...DEFAULT_POLICY, maxRetries: 2 }, undefined, async (ms) => void waits.push(ms));
    const error = await rejection(send(new Request(`${closed}/health`)));
    assert.ok(error instanceof ConnectionError && !error.timedOut, String(error));
    assert.match(error.message, /ECONNREFUSED/);
    assert.equal(waits.length, 2);
  });

  test("a caller's abort stops the call and its retries", async () => {
    proxy.reset();
    proxy.plan({ kind: "hang" });
    const controller = new AbortController();
    const pending = through({ maxRetries: 5 }).get("/v1/environments/current", { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("caller gave up")), 100);
    await assert.rejects(pending, /caller gave up/);
    assert.equal(proxy.seen.length, 1);
  });
});

describe("types", () => {
  test("paths, parameters, bodies and answers are checked by the compiler", () => {
    // Never called: `tsc` checks it. Each @ts-expect-error fails the build when the line
    // below it compiles, so the types cannot quietly become `any`.
    const unused = async (client: Kanri) => {
      // @ts-expect-error an unknown path
      await client.get("/v1/nowhere");
      // @ts-expect-error a path parameter is required
      await client.get("/v1/runs/{run_id}");
      // @ts-expect-error POST has no such path
      await client.post("/v1/runs/{run_id}", { params: { path: { run_id: "r" } } });
      // @ts-expect-error a step kind that does not exist
      await client.post("/v1/automations", { body: { name: "a", definition: { steps: [{ id: "s", kind: "teleport" }] } } });
      const run = await client.get("/v1/runs/{run_id}", { params: { path: { run_id: "r" } } });
      // @ts-expect-error an answer's fields are typed
      run.no_such_field;
      for await (const automation of client.list("/v1/automations")) {
        const name: string = automation.name;
        void name;
      }
      // @ts-expect-error only lists can be listed
      client.list("/v1/environments/current");
    };
    assert.equal(typeof unused, "function");
  });
});

async function rejection(promise: Promise<unknown>): Promise<KanriError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof KanriError, `not a KanriError: ${String(error)}`);
    return error;
  }
  assert.fail("the call did not fail");
}
