// routes.test.mjs: the route table (`loopin routes --json`, built from the
// modules' declarations) against docs/openapi.json, so neither can drift:
// every route declares its auth level, every route is documented and every
// documented operation routed, the documented security matches the auth
// level, path, query and body fields agree, the Idempotency-Key header is
// documented where a route honours it; and the document itself is valid
// OpenAPI 3.1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';

const run = promisify(execFile);
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

async function load() {
    const { stdout } = await run(process.env.LOOPIN_BIN, ['routes', '--json'], {
        env: { PATH: process.env.PATH },
    });
    const routes = JSON.parse(stdout);
    const spec = JSON.parse(await readFile(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
    return { routes, spec };
}

// "/api/events/{event_id:int}" is documented as "/api/events/{event_id}".
const docPath = (pattern) => pattern.replace(/\{([^}:]+)(:[a-z]+)?\}/g, '{$1}');
const key = (method, path) => `${method.toUpperCase()} ${path}`;

function resolve(spec, obj) {
    let o = obj;
    while (o && o.$ref) o = o.$ref.slice(2).split('/').reduce((acc, k) => acc[k], spec);
    return o;
}

function operation(spec, r) {
    return spec.paths[docPath(r.path)]?.[r.method.toLowerCase()];
}

test('every route declares its auth level', async () => {
    const { routes } = await load();
    assert.ok(routes.length > 30, `only ${routes.length} routes`);
    const undeclared = routes.filter((r) => r.auth === 'undeclared').map((r) => key(r.method, r.path));
    assert.deepEqual(undeclared, []);
});

test('every route is documented and every documented operation is routed', async () => {
    const { routes, spec } = await load();
    const routed = new Set(routes.map((r) => key(r.method, docPath(r.path))));
    const documented = new Set();
    for (const [path, item] of Object.entries(spec.paths))
        for (const m of METHODS) if (item[m]) documented.add(key(m, path));
    assert.deepEqual([...routed].filter((k) => !documented.has(k)), [], 'routed but not documented');
    assert.deepEqual([...documented].filter((k) => !routed.has(k)), [], 'documented but not routed');
});

test('the documented security is the declared auth level', async () => {
    const { routes, spec } = await load();
    const wrong = [];
    for (const r of routes) {
        const sec = operation(spec, r)?.security ?? spec.security ?? [];
        const bearer = sec.some((s) => 'bearer' in s);
        const anonymousOk = sec.length === 0 || sec.some((s) => Object.keys(s).length === 0);
        const want =
            r.auth === 'anonymous' ? { bearer: false, anonymousOk: true }
            : r.auth === 'optional' || r.auth === 'bearer_optional' ? { bearer: true, anonymousOk: true }
            : { bearer: true, anonymousOk: false };
        if (bearer !== want.bearer || anonymousOk !== want.anonymousOk)
            wrong.push(`${key(r.method, r.path)}: auth ${r.auth}, documented ${JSON.stringify(sec)}`);
    }
    assert.deepEqual(wrong, []);
});

test('path and query parameters agree, with their required flags', async () => {
    const { routes, spec } = await load();
    const wrong = [];
    for (const r of routes) {
        const op = operation(spec, r);
        const item = spec.paths[docPath(r.path)];
        const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p) => resolve(spec, p));
        const documented = (where) =>
            Object.fromEntries(params.filter((p) => p.in === where).map((p) => [p.name, !!p.required]));
        const pathNames = [...r.path.matchAll(/\{([^}:]+)/g)].map((m) => m[1]).sort();
        const docPathNames = Object.keys(documented('path')).sort();
        if (JSON.stringify(pathNames) !== JSON.stringify(docPathNames))
            wrong.push(`${key(r.method, r.path)}: path ${pathNames} vs documented ${docPathNames}`);
        const declared = Object.fromEntries(r.fields.filter((f) => f.in === 'query').map((f) => [f.name, f.required]));
        const doc = documented('query');
        for (const [name, required] of Object.entries(declared))
            if (!(name in doc)) wrong.push(`${key(r.method, r.path)}: query ${name} not documented`);
            else if (doc[name] !== required) wrong.push(`${key(r.method, r.path)}: query ${name} required ${required} vs ${doc[name]}`);
        for (const name of Object.keys(doc))
            if (!(name in declared)) wrong.push(`${key(r.method, r.path)}: documented query ${name} not declared`);
    }
    assert.deepEqual(wrong, []);
});

test('Idempotency-Key is documented on exactly the idempotent routes', async () => {
    const { routes, spec } = await load();
    const wrong = [];
    for (const r of routes) {
        const item = spec.paths[docPath(r.path)];
        const params = [...(item.parameters ?? []), ...(operation(spec, r).parameters ?? [])].map((p) => resolve(spec, p));
        const documented = params.some((p) => p.in === 'header' && p.name === 'Idempotency-Key');
        if (documented !== r.idempotent) wrong.push(`${key(r.method, r.path)}: idempotent ${r.idempotent}, header documented ${documented}`);
    }
    assert.deepEqual(wrong, []);
    assert.ok(routes.filter((r) => r.idempotent).length >= 5, 'the seat-moving routes are idempotent');
});

test('request bodies: the declared media types and every declared body field are documented', async () => {
    const { routes, spec } = await load();
    const wrong = [];
    for (const r of routes.filter((x) => x.body.length > 0 && x.path !== '/_test/echo')) {
        const content = resolve(spec, operation(spec, r).requestBody)?.content ?? {};
        for (const type of r.body)
            if (!content[type]) wrong.push(`${key(r.method, r.path)}: ${type} body not documented`);
        const props = new Set(
            Object.values(content).flatMap((c) => {
                const s = resolve(spec, c.schema) ?? {};
                const all = [s, ...(s.allOf ?? []).map((x) => resolve(spec, x))];
                return all.flatMap((x) => Object.keys(x?.properties ?? {}));
            }),
        );
        for (const f of r.fields.filter((x) => x.in === 'body'))
            if (!props.has(f.name)) wrong.push(`${key(r.method, r.path)}: body field ${f.name} not documented`);
    }
    assert.deepEqual(wrong, []);
});

test('docs/openapi.json is valid OpenAPI 3.1 (schema-checked, every $ref resolves)', async () => {
    const doc = JSON.parse(await readFile(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
    const api = await SwaggerParser.validate(doc);
    assert.match(api.openapi, /^3\.1\./);
});
