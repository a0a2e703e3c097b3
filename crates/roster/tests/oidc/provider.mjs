// A real OpenID provider (npm oidc-provider) for Roster's SSO tests, started by
// tests/support/oidc.rs: `node provider.mjs '<json config>'`, where the config is
//   {"clients": [{"client_id", "client_secret", "redirect_uris": [...]}],
//    "users": {"<login>": {<claims: email, email_verified, groups, given_name, ...>}}}
// It listens on 127.0.0.1 on a random port and prints `LISTENING <port>` once ready; the
// issuer is http://127.0.0.1:<port>. Its development login page accepts any login named in
// "users" (the password is ignored); consent is pre-granted so a sign-in is one form.
//
// What a real provider cannot be made to do, the test asks through /__test/ (test only):
//   POST /__test/users   {"<login>": {claims}}      add or replace users
//   POST /__test/rotate  -> {"kid"}                  publish a new signing key
//   POST /__test/forge   {"claims": {...}, "kid"?, "rogue"?: bool, "code"?}
//        the next token request (with "code": the token request for that authorization
//        code, so concurrent sign-ins each get their own) answers with an ID token of these
//        claims (iss, aud, iat, exp filled in unless given), signed with key `kid` (default:
//        the newest) — or, with "rogue", with an unpublished key under that kid (a bad
//        signature). With "barrier": n, its answer waits until n token requests of orders
//        with a barrier are waiting, then all are answered at once (callbacks that arrive
//        together, each having read Roster's cached keys before any is verified).
//   GET  /__test/stats   -> {"jwks_fetches"}        how often the key set was fetched
import http from 'node:http';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const config = JSON.parse(process.argv[2] ?? '{}');
const users = { ...(config.users ?? {}) };
const clients = config.clients ?? [];

// Signing keys: private JWKs by kid; all are published at /jwks.
const keys = [];
async function newKey(kid) {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await jose.exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  keys.push(jwk);
  return jwk;
}
const first = await newKey('key-1');
const publicOf = ({ d, p, q, dp, dq, qi, ...pub }) => pub;

let forged = null;
const forgedByCode = new Map();
let jwksFetches = 0;
let atBarrier = [];
function barrier(n) {
  return new Promise((resolve) => {
    atBarrier.push(resolve);
    if (atBarrier.length >= n) {
      atBarrier.forEach((go) => go());
      atBarrier = [];
    }
  });
}

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: clients.map((c) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...c,
  })),
  jwks: { keys: [first] },
  cookies: { keys: ['roster-test-cookie-key'] },
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name', 'name'],
    groups: ['groups'],
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    const claims = users[id];
    if (!claims) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile groups');
    grant.addOIDCClaims(['email', 'email_verified', 'given_name', 'family_name', 'name', 'groups']);
    await grant.save();
    return grant;
  },
});

async function readJson(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function forgedToken({ claims = {}, kid, rogue = false }) {
  const signer = kid ? keys.find((k) => k.kid === kid) : keys[keys.length - 1];
  const useKid = kid ?? signer.kid;
  const key = rogue || !signer ? (await jose.generateKeyPair('RS256')).privateKey : await jose.importJWK(signer, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: issuer, aud: clients[0]?.client_id, iat: now, exp: now + 300, ...claims };
  return new jose.SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: useKid }).sign(key);
}

const callback = provider.callback();
server.on('request', async (req, res) => {
  try {
    const path = new URL(req.url, issuer).pathname;
    if (req.method === 'POST' && path === '/__test/users') {
      Object.assign(users, await readJson(req));
      return send(res, 200, { users: Object.keys(users) });
    }
    if (req.method === 'POST' && path === '/__test/rotate') {
      const jwk = await newKey(`key-${keys.length + 1}`);
      return send(res, 200, { kid: jwk.kid });
    }
    if (req.method === 'POST' && path === '/__test/forge') {
      const order = await readJson(req);
      if (order.code) forgedByCode.set(order.code, order);
      else forged = order;
      return send(res, 200, {});
    }
    if (req.method === 'GET' && path === '/__test/stats') {
      return send(res, 200, { jwks_fetches: jwksFetches });
    }
    if (req.method === 'GET' && path === '/jwks') {
      jwksFetches += 1;
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
      return res.end(JSON.stringify({ keys: keys.map(publicOf) }));
    }
    if (req.method === 'POST' && path === '/token' && (forged || forgedByCode.size)) {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const code = new URLSearchParams(Buffer.concat(chunks).toString()).get('code');
      const order = forgedByCode.get(code) ?? forged;
      if (forgedByCode.has(code)) forgedByCode.delete(code);
      else forged = null;
      if (!order) return send(res, 400, { error: 'invalid_grant', error_description: 'no forged token for this code' });
      if (order.barrier) await barrier(order.barrier);
      const idToken = await forgedToken(order);
      return send(res, 200, { access_token: 'forged', token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    return callback(req, res);
  } catch (e) {
    return send(res, 500, { error: 'server_error', error_description: String(e) });
  }
});

console.log(`LISTENING ${port}`);
