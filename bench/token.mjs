// bench/token.mjs <secret> <user_id>[-<last_id>] [phone]: prints an access
// token for an existing user (one line per user for a range), signed the way
// the server signs them (src/auth/keys.c and jwt.c: HS256 keyed by
// HMAC-SHA256(LOOPIN_SECRET_KEY, "loopin:jwt")), valid for an hour. The
// benchmark uses it to act as seeded (active) accounts without sign-ups.
import { createHmac, randomBytes } from 'node:crypto';

const [secret, range, phone] = process.argv.slice(2);
const [first, last = first] = (range ?? '').split('-').map(Number);
if (!secret || !(first > 0) || !(last >= first)) {
    console.error('usage: node bench/token.mjs <secret> <user_id>[-<last_id>] [phone]');
    process.exit(2);
}
const key = createHmac('sha256', secret).update('loopin:jwt').digest();
const b64 = (s) => Buffer.from(s).toString('base64url');
const header = b64('{"alg":"HS256","typ":"JWT"}');
const now = Math.floor(Date.now() / 1000);
const out = [];
for (let id = first; id <= last; id++) {
    const claims = { user_id: id };
    if (phone && first === last) claims.phone_number = phone;
    Object.assign(claims, { iat: now, exp: now + 3600, jti: randomBytes(16).toString('hex') });
    const signed = `${header}.${b64(JSON.stringify(claims))}`;
    out.push(`${signed}.${createHmac('sha256', key).update(signed).digest('base64url')}`);
}
console.log(out.join('\n'));
