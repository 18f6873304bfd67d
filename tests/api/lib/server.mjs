// server.mjs: starts and stops real `loopin serve` processes for the API
// tests, each on its own port, temp dir and database (a SQLite file, or a
// fresh database in the PostgreSQL cluster that tests/api/run.sh made).
// Stopping a server is itself a check: it must exit 0 on SIGTERM with no
// AddressSanitizer, LeakSanitizer or UBSan report on stderr.
//
// Environment read here:
//   LOOPIN_BIN                 the binary under test (required)
//   LOOPIN_TEST_DB             sqlite (default) | postgres
//   LOOPIN_TEST_PG_ADMIN_URL   postgresql://postgres@127.0.0.1:PORT/postgres
//   LOOPIN_TEST_KEEP=1         keep temp dirs and databases after stop()

import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export { api, rawRequest, RawConnection, parseResponse, buildRequest, summarize } from './http.mjs';

const execFileP = promisify(execFile);

// Servers still running when this test process exits (a crash, a timeout)
// are killed rather than left behind holding ports and databases.
const running = new Set();
process.on('exit', () => {
    for (const proc of running) proc.kill('SIGKILL');
});

const HEALTH_TIMEOUT_MS = 20000;
const HEALTH_POLL_MS = 50;
const STOP_TIMEOUT_MS = 15000;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// "sqlite" or "postgres": which database this test run targets.
export function dbKind() {
    const kind = process.env.LOOPIN_TEST_DB ?? 'sqlite';
    if (kind !== 'sqlite' && kind !== 'postgres')
        throw new Error(`LOOPIN_TEST_DB must be sqlite or postgres, not ${JSON.stringify(kind)}`);
    return kind;
}

// A TCP port that was free a moment ago on 127.0.0.1.
export function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

/* ------------------------------------------------------------------------
 * Database helpers
 */

// Runs sql through psql against dbUrl; resolves to stdout (unaligned,
// tuples only, '|' between columns) without its final newline.
export async function psql(dbUrl, sql) {
    try {
        const { stdout } = await execFileP(
            'psql',
            ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl, '-c', sql],
            { maxBuffer: 64 << 20 },
        );
        return stdout.replace(/\n$/, '');
    } catch (e) {
        throw new Error(`psql failed on ${dbUrl}: ${sql}\n${e.stderr ?? e.message}`);
    }
}

// Runs sql through the sqlite3 CLI on the database file; same output shape
// as psql() above.
export async function sqlite(dbPath, sql) {
    try {
        const { stdout } = await execFileP(
            'sqlite3',
            ['-batch', '-bail', '-cmd', '.timeout 5000', dbPath, sql],
            { maxBuffer: 64 << 20 },
        );
        return stdout.replace(/\n$/, '');
    } catch (e) {
        throw new Error(`sqlite3 failed on ${dbPath}: ${sql}\n${e.stderr ?? e.message}`);
    }
}

// The file behind a sqlite:// URL ("sqlite:///abs.db" -> "/abs.db").
export function sqlitePath(databaseUrl) {
    if (!databaseUrl.startsWith('sqlite://')) throw new Error(`not a SQLite URL: ${databaseUrl}`);
    return databaseUrl.slice('sqlite://'.length);
}

// Runs sql on whichever database a server (or URL) uses.
export function dbQuery(serverOrUrl, sql) {
    const url = typeof serverOrUrl === 'string' ? serverOrUrl : serverOrUrl.databaseUrl;
    return url.startsWith('sqlite://') ? sqlite(sqlitePath(url), sql) : psql(url, sql);
}

function pgAdminUrl() {
    const url = process.env.LOOPIN_TEST_PG_ADMIN_URL;
    if (!url) throw new Error('LOOPIN_TEST_PG_ADMIN_URL is not set (run through tests/api/run.sh)');
    return url;
}

function pgDatabaseName(databaseUrl) {
    return decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
}

// Creates an empty database loopin_t_<random> in the test cluster and
// resolves to its postgresql:// URL.
export async function createDatabase() {
    const admin = pgAdminUrl();
    const name = `loopin_t_${randomBytes(6).toString('hex')}`;
    await psql(admin, `CREATE DATABASE ${name}`);
    const url = new URL(admin);
    url.pathname = `/${name}`;
    return url.toString();
}

// Drops a database made by createDatabase (by URL or name), closing any
// connections still open to it.
export async function dropDatabase(urlOrName) {
    const name = urlOrName.includes('://') ? pgDatabaseName(urlOrName) : urlOrName;
    if (!/^loopin_t_[0-9a-f]+$/.test(name)) throw new Error(`refusing to drop ${name}`);
    await psql(pgAdminUrl(), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/* ------------------------------------------------------------------------
 * Sanitizer reports
 */

const SANITIZER_PATTERNS = [
    /ERROR: AddressSanitizer/,
    /ERROR: LeakSanitizer/,
    /runtime error:/,
    /SUMMARY: \w*Sanitizer/,
    /WARNING: ThreadSanitizer/,
];

// Returns the part of stderr around the first sanitizer report, or null.
export function sanitizerReport(stderr) {
    let first = -1;
    for (const re of SANITIZER_PATTERNS) {
        const m = re.exec(stderr);
        if (m && (first < 0 || m.index < first)) first = m.index;
    }
    if (first < 0) return null;
    const start = Math.max(0, stderr.lastIndexOf('\n', Math.max(0, first - 2000)) + 1);
    const excerpt = stderr.slice(start, first + 12000);
    return excerpt + (first + 12000 < stderr.length ? '\n[... stderr truncated ...]' : '');
}

function tail(text, n = 6000) {
    return text.length > n ? '[...]\n' + text.slice(-n) : text;
}

/* ------------------------------------------------------------------------
 * Starting and stopping servers
 */

// Starts `$LOOPIN_BIN serve --port <free port>` and waits for GET /health
// to answer 200. Options:
//   env          extra environment (a value of undefined removes a variable)
//   databaseUrl  use this database instead of a fresh one (several servers
//                may share one; it is then never dropped by stop())
//   extraArgs    more arguments after `serve --port N`
//   db           'sqlite' | 'postgres' (default: LOOPIN_TEST_DB)
//   port         listen on this port (a restart on the same port) instead of a
//                free one; not retried when it is taken
// Resolves to {url, port, proc, databaseUrl, dbPath, tmpDir, stdout(),
// stderr(), exited, terminate(), stop()}.
export async function startServer(opts = {}) {
    const bin = opts.bin ?? process.env.LOOPIN_BIN;
    if (!bin) throw new Error('LOOPIN_BIN is not set (run through tests/api/run.sh)');
    const kind = opts.db ?? dbKind();

    const tmpDir = await mkdtemp(join(tmpdir(), 'loopin-api-'));
    let databaseUrl = opts.databaseUrl;
    let ownsDatabase = false;
    if (!databaseUrl) {
        if (kind === 'postgres') {
            databaseUrl = await createDatabase();
            ownsDatabase = true;
        } else {
            databaseUrl = `sqlite://${join(tmpDir, 'loopin.db')}`;
        }
    }

    const cleanup = async () => {
        if (process.env.LOOPIN_TEST_KEEP === '1') return;
        if (ownsDatabase) await dropDatabase(databaseUrl).catch(() => {});
        await rm(tmpDir, { recursive: true, force: true });
    };

    // A port can be taken between freePort() and the server's bind(); retry
    // then, and only then.
    for (let attempt = 1; ; attempt++) {
        const port = opts.port ?? (await freePort());
        try {
            return await launch({ bin, port, tmpDir, databaseUrl, opts, cleanup });
        } catch (e) {
            if (e.portInUse && attempt < 3 && opts.port === undefined) continue;
            await cleanup();
            throw e;
        }
    }
}

async function launch({ bin, port, tmpDir, databaseUrl, opts, cleanup }) {
    const url = `http://127.0.0.1:${port}`;
    const env = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LOOPIN_')) env[k] = v;
    Object.assign(env, {
        LOOPIN_ENV: 'test',
        LOOPIN_TEST_MODE: '1',
        LOOPIN_SECRET_KEY: randomBytes(32).toString('hex'),
        LOOPIN_DATABASE_URL: databaseUrl,
        LOOPIN_MEDIA_DIR: join(tmpDir, 'media'),
        LOOPIN_PUBLIC_URL: url,
        LOOPIN_WORKERS: '4',
        LOOPIN_DB_POOL: '4',
        LOOPIN_JOBS_POLL_MS: '200',
        ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0:exitcode=23',
        UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
    });
    for (const [k, v] of Object.entries(opts.env ?? {})) {
        if (v === undefined) delete env[k];
        else env[k] = String(v);
    }

    const args = ['serve', '--port', String(port), ...(opts.extraArgs ?? [])];
    // cwd is the temp dir so a stray .env or loopin.conf in the checkout
    // cannot change the configuration under test.
    const proc = spawn(bin, args, { cwd: tmpDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(proc);
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    proc.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    // 'close' (not 'exit') so that all of stderr, sanitizer reports included,
    // has been read when this resolves.
    const exited = new Promise((resolve) => {
        proc.on('close', (code, signal) => {
            running.delete(proc);
            resolve({ code, signal });
        });
        proc.on('error', (e) => {
            running.delete(proc);
            err += `\n[spawn error: ${e.message}]\n`;
            resolve({ code: null, signal: null, spawnError: e });
        });
    });
    let exitStatus = null;
    exited.then((s) => (exitStatus = s));

    const server = {
        url,
        port,
        proc,
        databaseUrl,
        dbPath: databaseUrl.startsWith('sqlite://') ? sqlitePath(databaseUrl) : null,
        tmpDir,
        exited,
        stdout: () => out,
        stderr: () => err,
        hasExited: () => exitStatus !== null,
        terminated: false,
        // Sends SIGTERM once (a second SIGTERM may mean "exit now").
        terminate() {
            if (this.terminated || exitStatus !== null) return;
            this.terminated = true;
            proc.kill('SIGTERM');
        },
        stop: null,
    };

    let stopping = null;
    server.stop = ({ expectCode = 0, timeoutMs = STOP_TIMEOUT_MS } = {}) => {
        stopping ??= stopServer(server, { expectCode, timeoutMs, cleanup });
        return stopping;
    };

    // Wait for GET /health == 200, failing fast if the process dies.
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    let lastProblem = 'no answer yet';
    for (;;) {
        if (exitStatus !== null) {
            const e = new Error(
                `loopin exited (code ${exitStatus.code}, signal ${exitStatus.signal}) before ` +
                    `becoming healthy on port ${port}.\n--- stderr ---\n${tail(err)}`,
            );
            e.portInUse = /address already in use|EADDRINUSE|could not bind|bind\(\)/i.test(err);
            throw e;
        }
        try {
            const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
            await res.arrayBuffer();
            if (res.status === 200) return server;
            lastProblem = `GET /health answered ${res.status}`;
        } catch (e) {
            lastProblem = e.cause?.code ?? e.message;
        }
        if (Date.now() > deadline) {
            proc.kill('SIGKILL');
            await exited;
            throw new Error(
                `loopin did not become healthy within ${HEALTH_TIMEOUT_MS} ms on port ${port} ` +
                    `(${lastProblem}).\n--- stderr ---\n${tail(err)}`,
            );
        }
        await sleep(HEALTH_POLL_MS);
    }
}

async function stopServer(server, { expectCode, timeoutMs, cleanup }) {
    server.terminate();
    let timer;
    const timedOut = await Promise.race([
        server.exited.then(() => false),
        new Promise((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) server.proc.kill('SIGKILL');
    const { code, signal } = await server.exited;
    const stderr = server.stderr();

    const problems = [];
    if (timedOut) problems.push(`did not exit within ${timeoutMs} ms of SIGTERM (killed)`);
    else if (code !== expectCode) problems.push(`exited with code ${code}, signal ${signal}; expected code ${expectCode}`);
    const report = sanitizerReport(stderr);
    if (report) problems.push('sanitizer report on stderr');

    if (problems.length === 0) {
        await cleanup();
        return { code, signal };
    }
    throw new Error(
        `loopin on port ${server.port}: ${problems.join('; ')} (files in ${server.tmpDir}).\n` +
            `--- stderr ${report ? '(sanitizer excerpt)' : '(tail)'} ---\n${report ?? tail(stderr)}`,
    );
}
