// http.mjs: the client side of the API tests. `api(server)` wraps fetch with
// small get/post/put/del helpers that remember every response (so a file can
// assert "no 5xx anywhere" at the end); `rawRequest` and `RawConnection` speak
// HTTP/1.1 over a bare TCP socket for what fetch cannot or will not send
// (huge headers, keep-alive checks, half-written bodies).

import net from 'node:net';

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\b/i;

/* ------------------------------------------------------------------------
 * fetch wrappers
 */

// Returns {get, post, put, del, patch, options, request, responses}. Each call
// resolves to {status, headers, json, text, method, path}; `json` is parsed
// when the response says it is JSON (null otherwise or when it does not parse).
export function api(server, { defaultHeaders = {} } = {}) {
    const responses = [];

    async function request(method, path, { json, headers = {}, body, signal, timeoutMs = 30000 } = {}) {
        const h = { ...defaultHeaders, ...headers };
        let payload = body;
        if (json !== undefined) {
            payload = JSON.stringify(json);
            if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
                h['content-type'] = 'application/json';
        }
        const res = await fetch(server.url + path, {
            method,
            headers: h,
            body: payload,
            redirect: 'manual',
            signal: signal ?? AbortSignal.timeout(timeoutMs),
        });
        const text = await res.text();
        const contentType = res.headers.get('content-type') ?? '';
        let parsed = null;
        if (JSON_TYPE.test(contentType)) {
            try {
                parsed = JSON.parse(text);
            } catch {
                parsed = null;
            }
        }
        const out = { status: res.status, headers: res.headers, json: parsed, text, method, path };
        responses.push(out);
        return out;
    }

    return {
        request,
        responses,
        get: (path, opts) => request('GET', path, opts),
        post: (path, opts) => request('POST', path, opts),
        put: (path, opts) => request('PUT', path, opts),
        patch: (path, opts) => request('PATCH', path, opts),
        del: (path, opts) => request('DELETE', path, opts),
        options: (path, opts) => request('OPTIONS', path, opts),
    };
}

// A short description of a response for assertion messages.
export function summarize(res) {
    const body = res.text.length > 600 ? res.text.slice(0, 600) + '...' : res.text;
    return `${res.method ?? ''} ${res.path ?? ''} -> ${res.status} ${body}`.trim();
}

/* ------------------------------------------------------------------------
 * Raw sockets
 */

// Writes `bytes` (string or Buffer) to 127.0.0.1:port and collects everything
// the server sends until it closes the connection or timeoutMs passes.
// Never rejects for network trouble: resets, refused connections and write
// errors are reported in `error` (an errno code string) next to the bytes read.
// Resolves to {data: Buffer, text, closed, timedOut, error}.
export function rawRequest(port, bytes, { timeoutMs = 5000, host = '127.0.0.1' } = {}) {
    return new Promise((resolve) => {
        const chunks = [];
        let error = null;
        let timedOut = false;
        let settled = false;
        const socket = net.connect({ port, host });

        const finish = (closed) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            socket.destroy();
            const data = Buffer.concat(chunks);
            resolve({ data, text: data.toString('latin1'), closed, timedOut, error });
        };
        const timer = setTimeout(() => {
            timedOut = true;
            finish(false);
        }, timeoutMs);

        socket.on('connect', () => socket.write(bytes));
        socket.on('data', (d) => chunks.push(d));
        socket.on('error', (e) => {
            error ??= e.code ?? String(e);
        });
        socket.on('close', () => finish(true));
    });
}

// Parses one HTTP/1.x response from the start of buf. Returns
// {status, reason, headers (lower-case keys, last value wins; `rawHeaders`
// keeps all), body: Buffer, text, json, length (bytes consumed)} or null when
// buf does not yet hold a complete response. With `untilClose` a response
// without Content-Length or chunking takes the rest of buf.
export function parseResponse(buf, { untilClose = false, headRequest = false } = {}) {
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return null;
    const head = buf.subarray(0, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(head[0]);
    if (!m) throw new Error(`not an HTTP response: ${JSON.stringify(head[0])}`);
    const status = Number(m[1]);
    const headers = {};
    const rawHeaders = [];
    for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const name = line.slice(0, i).trim().toLowerCase();
        const value = line.slice(i + 1).trim();
        headers[name] = value;
        rawHeaders.push([name, value]);
    }

    let start = end + 4;
    let body;
    let length;
    const noBody = headRequest || status === 204 || status === 304 || (status >= 100 && status < 200);
    if (noBody) {
        body = Buffer.alloc(0);
        length = start;
    } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
        const parts = [];
        let pos = start;
        for (;;) {
            const lineEnd = buf.indexOf('\r\n', pos);
            if (lineEnd < 0) return null;
            const size = parseInt(buf.subarray(pos, lineEnd).toString('latin1'), 16);
            if (Number.isNaN(size)) throw new Error('bad chunk size');
            pos = lineEnd + 2;
            if (size === 0) {
                // Skip trailer lines (rare); an empty line ends the message.
                let p = pos;
                for (;;) {
                    const n = buf.indexOf('\r\n', p);
                    if (n < 0) return null;
                    if (n === p) break;
                    p = n + 2;
                }
                length = p + 2;
                break;
            }
            if (buf.length < pos + size + 2) return null;
            parts.push(buf.subarray(pos, pos + size));
            pos += size + 2;
        }
        body = Buffer.concat(parts);
    } else if (headers['content-length'] !== undefined) {
        const n = Number(headers['content-length']);
        if (buf.length < start + n) return null;
        body = buf.subarray(start, start + n);
        length = start + n;
    } else if (untilClose) {
        body = buf.subarray(start);
        length = buf.length;
    } else {
        return null;
    }

    const text = body.toString('utf8');
    let json = null;
    if (JSON_TYPE.test(headers['content-type'] ?? '')) {
        try {
            json = JSON.parse(text);
        } catch {
            json = null;
        }
    }
    return { status, reason: m[2] ?? '', headers, rawHeaders, body, text, json, length };
}

// One persistent HTTP/1.1 connection: send raw requests and read responses
// one at a time, to check keep-alive and pipelining behaviour.
export class RawConnection {
    static open(port, host = '127.0.0.1') {
        return new Promise((resolve, reject) => {
            const socket = net.connect({ port, host });
            socket.once('connect', () => {
                socket.off('error', reject);
                resolve(new RawConnection(socket));
            });
            socket.once('error', reject);
        });
    }

    constructor(socket) {
        this.socket = socket;
        this.buf = Buffer.alloc(0);
        this.closed = false;
        this.error = null;
        this.waiter = null;
        socket.on('data', (d) => {
            this.buf = Buffer.concat([this.buf, d]);
            this.#wake();
        });
        socket.on('end', () => {
            this.closed = true;
            this.#wake();
        });
        socket.on('close', () => {
            this.closed = true;
            this.#wake();
        });
        socket.on('error', (e) => {
            this.error = e.code ?? String(e);
            this.#wake();
        });
    }

    #wake() {
        const w = this.waiter;
        this.waiter = null;
        w?.();
    }

    send(bytes) {
        return new Promise((resolve, reject) =>
            this.socket.write(bytes, (err) => (err ? reject(err) : resolve())),
        );
    }

    // Resolves to the next complete response (see parseResponse), consuming
    // it from the buffer. Rejects when the connection closes first or after
    // timeoutMs.
    async readResponse({ timeoutMs = 5000, headRequest = false } = {}) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const res = parseResponse(this.buf, { untilClose: this.closed, headRequest });
            if (res) {
                this.buf = this.buf.subarray(res.length);
                return res;
            }
            if (this.closed || this.error) {
                throw new Error(
                    `connection ${this.error ? `failed (${this.error})` : 'closed'} before a full ` +
                        `response; got ${this.buf.length} bytes: ${JSON.stringify(this.buf.toString('latin1').slice(0, 300))}`,
                );
            }
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`no complete response within ${timeoutMs} ms`);
            await new Promise((resolve) => {
                const t = setTimeout(resolve, left);
                this.waiter = () => {
                    clearTimeout(t);
                    resolve();
                };
            });
        }
    }

    close() {
        this.socket.destroy();
    }
}

// Builds the bytes of one HTTP/1.1 request. `headers` is an object or a list
// of [name, value] pairs; Host and (for a body) Content-Length are added
// unless given.
export function buildRequest(method, path, { port, headers = {}, body } = {}) {
    const list = Array.isArray(headers) ? [...headers] : Object.entries(headers);
    const has = (n) => list.some(([k]) => k.toLowerCase() === n);
    if (!has('host')) list.unshift(['Host', `127.0.0.1${port ? `:${port}` : ''}`]);
    const payload = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(body);
    if (payload && !has('content-length')) list.push(['Content-Length', String(payload.length)]);
    const head = `${method} ${path} HTTP/1.1\r\n` + list.map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
    return payload ? Buffer.concat([Buffer.from(head, 'latin1'), payload]) : Buffer.from(head, 'latin1');
}
