// expect.mjs: assertions shared by the API tests for the parts of the
// contract every response obeys: the error body shapes and the headers that
// the middleware adds (request id, security headers).

import assert from 'node:assert/strict';
import { summarize } from './http.mjs';

export const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,128}$/;
export const ERROR_CODE_RE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

// Reads a header from a fetch response (Headers) or a parsed raw response
// (plain object with lower-case keys).
export function header(res, name) {
    const h = res.headers;
    if (typeof h?.get === 'function') return h.get(name);
    return h?.[name.toLowerCase()] ?? null;
}

// X-Request-Id plus the three security headers.
export function assertStandardHeaders(res) {
    const what = summarize(res);
    const rid = header(res, 'x-request-id');
    assert.ok(rid, `missing X-Request-Id: ${what}`);
    assert.match(rid, REQUEST_ID_RE, `X-Request-Id is not sane: ${what}`);
    assert.equal(header(res, 'x-content-type-options'), 'nosniff', `X-Content-Type-Options: ${what}`);
    assert.equal(header(res, 'x-frame-options'), 'DENY', `X-Frame-Options: ${what}`);
    assert.equal(header(res, 'referrer-policy'), 'no-referrer', `Referrer-Policy: ${what}`);
}

// {"detail": "<string>", "error_code": "<UPPER_SNAKE>", ...} (or, for 422
// validation errors, detail is a list). Checks the status and code given.
export function assertErrorBody(res, status, errorCode, { detail } = {}) {
    const what = summarize(res);
    if (Array.isArray(status)) assert.ok(status.includes(res.status), `status not in ${status}: ${what}`);
    else assert.equal(res.status, status, `status: ${what}`);
    assert.match(header(res, 'content-type') ?? '', /json/i, `error body must be JSON: ${what}`);
    assert.ok(res.json && typeof res.json === 'object', `error body must be a JSON object: ${what}`);
    assert.ok(
        typeof res.json.detail === 'string' || Array.isArray(res.json.detail),
        `detail must be a string (or a list for 422): ${what}`,
    );
    assert.equal(typeof res.json.error_code, 'string', `error_code must be a string: ${what}`);
    assert.match(res.json.error_code, ERROR_CODE_RE, `error_code must be UPPER_SNAKE: ${what}`);
    if (errorCode !== undefined) assert.equal(res.json.error_code, errorCode, `error_code: ${what}`);
    if (detail !== undefined) assert.equal(res.json.detail, detail, `detail: ${what}`);
}

// 422 {"detail":[{"type","loc","msg","input"}...], "error_code":"VALIDATION_ERROR"};
// `first` lists fields the first detail entry must have (deep-equal).
export function assertValidationError(res, first = {}) {
    const what = summarize(res);
    assertErrorBody(res, 422, 'VALIDATION_ERROR');
    const list = res.json.detail;
    assert.ok(Array.isArray(list) && list.length > 0, `detail must be a non-empty list: ${what}`);
    for (const item of list) {
        assert.equal(typeof item.type, 'string', `detail[].type: ${what}`);
        assert.ok(Array.isArray(item.loc), `detail[].loc must be a list: ${what}`);
        assert.equal(typeof item.msg, 'string', `detail[].msg: ${what}`);
        assert.ok('input' in item, `detail[].input must be present: ${what}`);
    }
    for (const [key, value] of Object.entries(first))
        assert.deepEqual(list[0][key], value, `detail[0].${key}: ${what}`);
}

// Asserts a successful JSON response and returns its body.
export function okJson(res, status = 200) {
    const what = summarize(res);
    assert.equal(res.status, status, `status: ${what}`);
    assert.match(header(res, 'content-type') ?? '', /application\/json/i, `content-type: ${what}`);
    assert.ok(res.json !== null, `body must be JSON: ${what}`);
    return res.json;
}
