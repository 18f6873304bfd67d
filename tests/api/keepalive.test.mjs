// keepalive.test.mjs: HTTP/1.1 persistent connections. Several requests on
// one raw TCP socket, each response read by its Content-Length, with the
// socket still open in between.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, RawConnection, buildRequest } from './lib/server.mjs';

let server;

before(async () => {
    server = await startServer();
});

after(async () => {
    await server?.stop();
});

const get = (path) => buildRequest('GET', path, { port: server.port, headers: { Connection: 'keep-alive' } });

function assertHealthy(res, which) {
    assert.equal(res.status, 200, `${which}: status ${res.status} ${res.text}`);
    assert.equal(res.json?.status, 'healthy', `${which}: body ${res.text}`);
    assert.doesNotMatch(res.headers.connection ?? '', /close/i, `${which}: server asked to close`);
}

test('two sequential GETs share one connection', async () => {
    const conn = await RawConnection.open(server.port);
    try {
        await conn.send(get('/api/health'));
        assertHealthy(await conn.readResponse(), 'first response');
        assert.ok(!conn.closed, 'the server closed the socket after the first response');

        await conn.send(get('/api/health'));
        assertHealthy(await conn.readResponse(), 'second response');
        assert.ok(!conn.closed, 'the server closed the socket after the second response');
    } finally {
        conn.close();
    }
});

test('a POST with a JSON body, then a GET, share one connection', async () => {
    const conn = await RawConnection.open(server.port);
    try {
        const payload = JSON.stringify({ hello: 'keep-alive', n: [1, 2, 3] });
        await conn.send(
            buildRequest('POST', '/_test/echo', {
                port: server.port,
                headers: { 'Content-Type': 'application/json', Connection: 'keep-alive' },
                body: payload,
            }),
        );
        const echo = await conn.readResponse();
        assert.equal(echo.status, 200, `echo: ${echo.status} ${echo.text}`);
        assert.deepEqual(echo.json?.json, JSON.parse(payload));
        assert.ok(!conn.closed, 'the server closed the socket after the POST');

        await conn.send(get('/api/health'));
        assertHealthy(await conn.readResponse(), 'GET after POST');
    } finally {
        conn.close();
    }
});

test('an error response does not end the connection', async () => {
    const conn = await RawConnection.open(server.port);
    try {
        await conn.send(get('/nope'));
        const missing = await conn.readResponse();
        assert.equal(missing.status, 404, missing.text);
        await conn.send(get('/api/health'));
        assertHealthy(await conn.readResponse(), 'GET after 404');
    } finally {
        conn.close();
    }
});
