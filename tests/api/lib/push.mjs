// push.mjs: the push outbox (LOOPIN_PUSH_BACKEND=file) and waiting for the
// job queue, for the notification tests.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './server.mjs';

// A fresh push outbox: {path, env, remove()}.
export async function makePushOutbox() {
    const dir = await mkdtemp(join(tmpdir(), 'loopin-push-'));
    const path = join(dir, 'push.jsonl');
    return {
        path,
        env: { LOOPIN_PUSH_BACKEND: 'file', LOOPIN_PUSH_OUTBOX: path, LOOPIN_JOBS_POLL_MS: '50' },
        remove: () => rm(dir, { recursive: true, force: true }),
    };
}

// Every push in the outbox, oldest first: [{key, player_ids, title, body, data, sent_at}].
export async function readPushes(outbox) {
    let text;
    try {
        text = await readFile(outbox.path ?? outbox, 'utf8');
    } catch (e) {
        if (e.code === 'ENOENT') return [];
        throw e;
    }
    return text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l));
}

// Polls fn until it returns a truthy value (returned) or timeoutMs passes
// (assertion failure with what).
export async function waitFor(fn, what, timeoutMs = 15000) {
    const t0 = Date.now();
    for (;;) {
        const v = await fn();
        if (v) return v;
        assert.ok(Date.now() - t0 < timeoutMs, `timed out waiting for ${what}`);
        await sleep(50);
    }
}

// The pushes whose player ids include playerId.
export async function pushesTo(outbox, playerId) {
    return (await readPushes(outbox)).filter((p) => p.player_ids.includes(playerId));
}
