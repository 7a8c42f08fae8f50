/**
 * A live `kanri serve` for the tests, and a loopback proxy in front of it that misbehaves
 * on demand (drops a connection after kanri answered, answers 429/503 itself, hangs).
 *
 * The server runs the repository's `.venv/bin/kanri` (or KANRI_TEST_BIN) on a free
 * loopback port with a temporary data directory: SQLite there, unless
 * KANRI_TEST_SERVER_DATABASE_URL names a database (with KANRI_TEST_SERVER_SECRET_KEY, the
 * secret of the other processes on it). Rate limits are lifted; the tests that need one
 * set a project's own.
 */

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE = resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const REPOSITORY = resolve(PACKAGE, "..", "..");
const KANRI = process.env["KANRI_TEST_BIN"] ?? join(REPOSITORY, ".venv", "bin", "kanri");

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

export class KanriServer {
  private constructor(
    readonly baseUrl: string,
    private readonly process: ChildProcess,
    private readonly env: NodeJS.ProcessEnv,
    private readonly home: string,
  ) {}

  static async start(): Promise<KanriServer> {
    const home = mkdtempSync(join(tmpdir(), "kanri-ts-"));
    const env: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith("KANRI_")),
    );
    Object.assign(env, {
      KANRI_DATA_DIR: join(home, "kanri-data"),
      KANRI_SECRET_KEY: process.env["KANRI_TEST_SERVER_SECRET_KEY"] ?? `ts-client-secret-${"t".repeat(40)}`,
      KANRI_DEFAULT_RATE_LIMIT_PER_MINUTE: "100000",
      KANRI_ADMIN_RATE_LIMIT_PER_MINUTE: "100000",
      KANRI_POLL_SECONDS: "0.1",
      KANRI_LOG_LEVEL: "warning",
    });
    const database = process.env["KANRI_TEST_SERVER_DATABASE_URL"];
    if (database) env["KANRI_DATABASE_URL"] = database;
    const port = await freePort();
    const log = openSync(join(home, "server.log"), "a");
    const child = spawn(KANRI, ["serve", "--host", "127.0.0.1", "--port", String(port)], {
      cwd: home,
      env,
      stdio: ["ignore", log, log],
    });
    const server = new KanriServer(`http://127.0.0.1:${port}`, child, env, home);
    await server.waitHealthy(90_000);
    return server;
  }

  /** `kanri admin bootstrap`: a new organization; its admin key. */
  bootstrap(org: string): string {
    const done = spawnSync(KANRI, ["admin", "bootstrap", "--org", org, "--json"], {
      cwd: this.home,
      env: this.env,
      encoding: "utf8",
      timeout: 60_000,
    });
    if (done.status !== 0) throw new Error(`kanri admin bootstrap failed: ${done.stderr}`);
    return JSON.parse(done.stdout).admin_key as string;
  }

  log(): string {
    try {
      return readFileSync(join(this.home, "server.log"), "utf8");
    } catch {
      return "";
    }
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null) {
      const exited = new Promise((done) => this.process.once("exit", done));
      this.process.kill("SIGTERM");
      const timer = setTimeout(() => this.process.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.home, { recursive: true, force: true });
  }

  private async waitHealthy(within: number): Promise<void> {
    const deadline = Date.now() + within;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) {
        throw new Error(`kanri serve exited with ${this.process.exitCode}:\n${this.log()}`);
      }
      try {
        const answer = await fetch(`${this.baseUrl}/health`);
        if (answer.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((done) => setTimeout(done, 100));
    }
    throw new Error(`kanri serve was not healthy within ${within} ms:\n${this.log()}`);
  }
}

/** What the proxy does with the next request that `matches`. */
export type Fault =
  | { kind: "drop-after-answer" } // forward, let kanri answer, then close the connection unanswered
  | { kind: "answer"; status: number; headers?: Record<string, string>; body?: string } // answer itself
  | { kind: "hang" }; // never answer

export interface Seen {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

export class FaultyProxy {
  readonly seen: Seen[] = [];
  private faults: { matches: (seen: Seen) => boolean; fault: Fault }[] = [];
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly upstream: string,
  ) {}

  static async start(upstream: string): Promise<FaultyProxy> {
    let proxy: FaultyProxy | undefined;
    const server = createServer((request, response) => void proxy!.handle(request, response));
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const { port } = server.address() as AddressInfo;
    proxy = new FaultyProxy(server, `http://127.0.0.1:${port}`, upstream);
    return proxy;
  }

  /** The next request for which `matches` holds gets `fault` (once), in the order planned. */
  plan(fault: Fault, matches: (seen: Seen) => boolean = () => true): void {
    this.faults.push({ matches, fault });
  }

  /** Forgets what it saw and what it planned. */
  reset(): void {
    this.seen.length = 0;
    this.faults = [];
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise((done) => this.server.close(done));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const seen: Seen = { method: request.method ?? "GET", path: request.url ?? "/", headers: { ...request.headers } };
    this.seen.push(seen);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const index = this.faults.findIndex((planned) => planned.matches(seen));
    const fault = index >= 0 ? this.faults.splice(index, 1)[0]!.fault : undefined;
    if (fault?.kind === "hang") {
      this.hanging.add(response);
      return;
    }
    if (fault?.kind === "answer") {
      response.writeHead(fault.status, { "Content-Type": "application/problem+json", ...fault.headers });
      response.end(fault.body ?? "");
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined || ["host", "connection", "content-length"].includes(name)) continue;
      headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const answer = await fetch(this.upstream + seen.path, { method: seen.method, headers, body });
    const text = Buffer.from(await answer.arrayBuffer());
    if (fault?.kind === "drop-after-answer") {
      request.socket.destroy();
      return;
    }
    const out: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!["content-length", "transfer-encoding", "connection", "content-encoding"].includes(name)) out[name] = value;
    });
    response.writeHead(answer.status, out);
    response.end(text);
  }
}
