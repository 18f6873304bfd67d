// multiprocess.test.mjs: several `loopin serve` processes started together
// on one empty PostgreSQL database migrate it exactly once (the advisory
// lock in src/db/migrate.c) and all serve. PostgreSQL only.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createDatabase, dropDatabase, psql, dbKind } from './lib/server.mjs';

const SERVERS = 3;
const skip = dbKind() !== 'postgres' && 'PostgreSQL only (LOOPIN_TEST_DB=postgres)';

let databaseUrl;
let servers = [];

before(async () => {
    if (skip) return;
    databaseUrl = await createDatabase();
    const started = await Promise.allSettled(Array.from({ length: SERVERS }, () => startServer({ databaseUrl })));
    servers = started.filter((s) => s.status === 'fulfilled').map((s) => s.value);
    const failed = started.filter((s) => s.status === 'rejected');
    if (failed.length) throw failed[0].reason;
});

after(async () => {
    const results = await Promise.allSettled(servers.map((s) => s.stop()));
    if (databaseUrl && process.env.LOOPIN_TEST_KEEP !== '1') await dropDatabase(databaseUrl);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
});

// The "migration applied" JSON log lines in one server's stderr.
function migrationLogLines(server) {
    return server
        .stderr()
        .split('\n')
        .filter((line) => line.includes('migration applied'))
        .map((line) => {
            try {
                return JSON.parse(line);
            } catch {
                return null;
            }
        })
        .filter((entry) => entry?.msg === 'migration applied');
}

test('all servers become healthy', { skip }, async () => {
    assert.equal(servers.length, SERVERS);
    for (const s of servers) {
        const res = await fetch(`${s.url}/health`);
        assert.equal(res.status, 200, `server on port ${s.port}: ${await res.text()}`);
    }
});

test('each migration is recorded exactly once', { skip }, async () => {
    const [rows, distinct] = (await psql(databaseUrl, 'SELECT count(*), count(DISTINCT version) FROM schema_migrations'))
        .split('|')
        .map(Number);
    assert.ok(rows > 0, 'schema_migrations is empty');
    assert.equal(rows, distinct, 'a migration version is recorded twice');
});

test('each migration was applied by exactly one process', { skip }, async () => {
    const rows = Number(await psql(databaseUrl, 'SELECT count(*) FROM schema_migrations'));
    const perServer = servers.map((s) => migrationLogLines(s).length);
    const total = perServer.reduce((a, b) => a + b, 0);
    assert.equal(total, rows, `"migration applied" lines per server: ${perServer.join(', ')}; rows: ${rows}`);
});

test('all servers stop cleanly', { skip }, async () => {
    const results = await Promise.allSettled(servers.map((s) => s.stop()));
    const errors = results.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
    assert.deepEqual(errors, []);
});
