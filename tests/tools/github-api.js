#!/usr/bin/env node
// github-api.js: a small in-memory fake of the GitHub REST API for tests
// (issue comments with pagination, Actions artifacts with a redirect to a
// download host, compare for merge bases), plus a control API to seed data,
// inject failures and inspect what the client sent. Node.js >= 18, stdlib
// only. Listens on loopback only:
//   node tests/tools/github-api.js [--port N]
// prints exactly one line "listening on http://127.0.0.1:<port>" when ready.
// Downloads are served by a second listener on 127.0.0.2 (another host, so a
// client must not forward Authorization there); its base URL is in
// GET /_control/state as download_url. Exits on SIGTERM/SIGINT, on
// POST /_control/shutdown, and when stdin (if it is a pipe) is closed.
//
// Control API (no auth, JSON in and out):
//   POST /_control/reset                 clear all state and settings
//   POST /_control/tokens  {"read-write": [...], "read-only": [...]}
//        default: any token is read-write, tokens starting "ro-" read-only
//   POST /_control/artifacts {name, head_branch, head_sha, expired, created_at,
//        workflow_run_id, zip_base64 | zip_path, repo} -> {id}
//   POST /_control/comments {repo: "o/r", issue, body, user} -> {id}
//   POST /_control/compare {repo, base, head, merge_base_sha}
//   POST /_control/fail {method, path ("/x" exact or "/x/*" prefix), status,
//        count (default 1), headers, body, action: "close" (drop the
//        connection) | "truncate" (short body) | "hang" (never answer)}
//   GET  /_control/state -> {comments: {"o/r#n": [...]}, artifacts: [...],
//        requests: [{method, path, query, authorization_present, status,
//        host: "api" | "download", user_agent}],
//        download_auth_seen, download_url}
'use strict';

const http = require('http');
const fs = require('fs');

function parseArgs(argv) {
  let port = 0;
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '--port' && i + 1 < argv.length) {
      port = Number(argv[++i]);
    } else if (argv[i].startsWith('--port=')) {
      port = Number(argv[i].slice(7));
    } else {
      process.stderr.write(`github-api: unknown argument ${argv[i]}\n`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('github-api: --port must be 0..65535\n');
    process.exit(2);
  }
  return { port };
}

let state;
function reset() {
  state = {
    nextId: 1000,
    comments: new Map(),      // "o/r#n" -> [comment]
    artifacts: [],            // {..., repo, zip: Buffer}
    compares: new Map(),      // "o/r base...head" -> sha
    failures: [],
    requests: [],
    tokens: null,             // null: default policy
    downloadAuthSeen: false,
    clock: Date.parse('2024-01-01T00:00:00Z'),
  };
}
reset();

function nextId() { return state.nextId++; }
function now() { state.clock += 1000; return new Date(state.clock).toISOString().replace(/\.\d{3}Z$/, 'Z'); }

function send(res, status, body, headers = {}) {
  const data = body === undefined ? '' : (Buffer.isBuffer(body) ? body : JSON.stringify(body));
  const h = { 'content-length': Buffer.byteLength(data), ...headers };
  if (!Buffer.isBuffer(body) && body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
    h['content-type'] = 'application/json; charset=utf-8';
  }
  res.writeHead(status, h);
  res.end(data);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > 64 * 1024 * 1024) { reject(new Error('body too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(buf) {
  if (buf.length === 0) return undefined;
  try { return JSON.parse(buf.toString('utf8')); } catch (e) { return Symbol.for('bad'); }
}

// --- failure injection -------------------------------------------------------
function takeFailure(method, path) {
  for (const f of state.failures) {
    if (f.count <= 0) continue;
    if (f.method && f.method !== '*' && f.method.toUpperCase() !== method) continue;
    const p = f.path || '*';
    const ok = p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : path === p;
    if (!ok) continue;
    f.count--;
    return f;
  }
  return null;
}

// Applies an injected failure; returns the status logged.
function applyFailure(f, res) {
  if (f.action === 'close') {
    res.socket.destroy();
    return 0;
  }
  if (f.action === 'hang') return 0; // never answers; the client times out
  const body = f.body === undefined ? { message: 'injected failure' } : f.body;
  const data = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const status = f.status || 500;
  if (f.action === 'truncate') {
    res.writeHead(status, { ...(f.headers || {}), 'content-length': data.length * 2 + 10 });
    res.write(data);
    setTimeout(() => res.socket.destroy(), 10);
    return status;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...(f.headers || {}),
    'content-length': data.length });
  res.end(data);
  return status;
}

// --- auth ----------------------------------------------------------------------
// Returns 'rw', 'ro', or an [status, body] error.
function authorize(req) {
  const h = req.headers.authorization;
  if (!h) return [401, { message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest' }];
  const m = /^(?:Bearer|token)\s+(\S+)$/i.exec(h);
  if (!m) return [401, { message: 'Bad credentials' }];
  const tok = m[1];
  if (state.tokens) {
    if ((state.tokens['read-write'] || []).includes(tok)) return 'rw';
    if ((state.tokens['read-only'] || []).includes(tok)) return 'ro';
    return [401, { message: 'Bad credentials' }];
  }
  return tok.startsWith('ro-') ? 'ro' : 'rw';
}

// --- resources -------------------------------------------------------------------
function commentView(c) {
  return {
    id: c.id, node_id: `IC_${c.id}`, url: c.url, html_url: c.html_url, issue_url: c.issue_url,
    body: c.body, user: { login: c.user, type: c.user.endsWith('[bot]') ? 'Bot' : 'User' },
    created_at: c.created_at, updated_at: c.updated_at, author_association: 'NONE',
  };
}

function addComment(repo, issue, body, user, base) {
  const id = nextId();
  const t = now();
  const c = {
    id, repo, issue: Number(issue), body, user: user || 'github-actions[bot]',
    url: `${base}/repos/${repo}/issues/comments/${id}`,
    html_url: `https://github.com/${repo}/pull/${issue}#issuecomment-${id}`,
    issue_url: `${base}/repos/${repo}/issues/${issue}`,
    created_at: t, updated_at: t,
  };
  const key = `${repo}#${Number(issue)}`;
  if (!state.comments.has(key)) state.comments.set(key, []);
  state.comments.get(key).push(c);
  return c;
}

function findComment(repo, id) {
  for (const list of state.comments.values()) {
    for (const c of list) if (c.repo === repo && c.id === id) return c;
  }
  return null;
}

function pageParams(query) {
  let perPage = Number(query.get('per_page') || 30);
  let page = Number(query.get('page') || 1);
  if (!Number.isInteger(perPage) || perPage < 1) perPage = 30;
  if (perPage > 100) perPage = 100;
  if (!Number.isInteger(page) || page < 1) page = 1;
  return { perPage, page };
}

// GitHub-style Link header (prev, next, last, first) or undefined.
function linkHeader(base, path, query, page, lastPage) {
  if (lastPage <= 1) return undefined;
  const mk = (p) => {
    const q = new URLSearchParams(query);
    q.set('page', String(p));
    return `<${base}${path}?${q.toString()}>`;
  };
  const parts = [];
  if (page > 1) parts.push(`${mk(page - 1)}; rel="prev"`);
  if (page < lastPage) parts.push(`${mk(page + 1)}; rel="next"`, `${mk(lastPage)}; rel="last"`);
  if (page > 1) parts.push(`${mk(1)}; rel="first"`);
  return parts.length ? parts.join(', ') : undefined;
}

function paginate(items, query, base, path) {
  const { perPage, page } = pageParams(query);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = linkHeader(base, path, query, page, lastPage);
  return { slice, headers: link ? { link } : {} };
}

function artifactView(a, base) {
  return {
    id: a.id, node_id: `MDg6QXJ0aWZhY3Q${a.id}`, name: a.name, size_in_bytes: a.zip.length,
    url: `${base}/repos/${a.repo}/actions/artifacts/${a.id}`,
    archive_download_url: `${base}/repos/${a.repo}/actions/artifacts/${a.id}/zip`,
    expired: a.expired, created_at: a.created_at, updated_at: a.created_at, expires_at: a.expires_at,
    workflow_run: {
      id: a.workflow_run_id, repository_id: 1, head_repository_id: 1,
      head_branch: a.head_branch, head_sha: a.head_sha,
    },
  };
}

function sortedArtifacts(repo, name) {
  return state.artifacts
    .filter((a) => a.repo === repo && (name === null || a.name === name))
    .sort((x, y) => (y.created_at < x.created_at ? -1 : y.created_at > x.created_at ? 1 : y.id - x.id));
}

// --- API handler ---------------------------------------------------------------------
async function api(req, res, path, query, base, downloadBase) {
  const method = req.method;
  const auth = authorize(req);
  if (Array.isArray(auth)) return send(res, auth[0], auth[1]);
  const write = method !== 'GET' && method !== 'HEAD';
  if (write && auth === 'ro') {
    return send(res, 403, { message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest' });
  }
  let m;
  const rl = { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999', 'x-ratelimit-used': '1' };
  if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(path))) {
    const repo = `${m[1]}/${m[2]}`;
    const key = `${repo}#${Number(m[3])}`;
    if (method === 'GET') {
      const { slice, headers } = paginate(state.comments.get(key) || [], query, base, path);
      return send(res, 200, slice.map(commentView), { ...rl, ...headers });
    }
    if (method === 'POST') {
      const body = parseJson(await readBody(req));
      if (body === Symbol.for('bad')) return send(res, 400, { message: 'Problems parsing JSON' });
      if (!body || typeof body.body !== 'string') return send(res, 422, { message: 'Validation Failed' });
      const c = addComment(repo, m[3], body.body, null, base);
      return send(res, 201, commentView(c), { ...rl, location: c.url });
    }
  } else if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(path))) {
    const c = findComment(`${m[1]}/${m[2]}`, Number(m[3]));
    if (!c) return send(res, 404, { message: 'Not Found' });
    if (method === 'GET') return send(res, 200, commentView(c), rl);
    if (method === 'PATCH') {
      const body = parseJson(await readBody(req));
      if (body === Symbol.for('bad')) return send(res, 400, { message: 'Problems parsing JSON' });
      if (!body || typeof body.body !== 'string') return send(res, 422, { message: 'Validation Failed' });
      c.body = body.body;
      c.updated_at = now();
      return send(res, 200, commentView(c), rl);
    }
  } else if ((m = /^\/repos\/([^/]+)\/([^/]+)\/actions\/artifacts$/.exec(path))) {
    if (method === 'GET') {
      const list = sortedArtifacts(`${m[1]}/${m[2]}`, query.has('name') ? query.get('name') : null);
      const { slice, headers } = paginate(list, query, base, path);
      return send(res, 200, { total_count: list.length, artifacts: slice.map((a) => artifactView(a, base)) },
        { ...rl, ...headers });
    }
  } else if ((m = /^\/repos\/([^/]+)\/([^/]+)\/actions\/artifacts\/(\d+)(\/zip)?$/.exec(path))) {
    const a = state.artifacts.find((x) => x.repo === `${m[1]}/${m[2]}` && x.id === Number(m[3]));
    if (method === 'GET') {
      if (!a) return send(res, 404, { message: 'Not Found' });
      if (!m[4]) return send(res, 200, artifactView(a, base), rl);
      if (a.expired) return send(res, 410, { message: 'Artifact has expired' });
      const sig = Math.random().toString(36).slice(2);
      return send(res, 302, undefined, { location: `${downloadBase}/download/${a.id}.zip?sig=${sig}&se=1` });
    }
  } else if ((m = /^\/repos\/([^/]+)\/([^/]+)\/compare\/(.+)\.\.\.(.+)$/.exec(path))) {
    if (method === 'GET') {
      const sha = state.compares.get(`${m[1]}/${m[2]} ${decodeURIComponent(m[3])}...${decodeURIComponent(m[4])}`);
      if (!sha) return send(res, 404, { message: 'Not Found' });
      return send(res, 200, { status: 'ahead', merge_base_commit: { sha } }, rl);
    }
  } else {
    return send(res, 404, { message: 'Not Found' });
  }
  return send(res, 405, { message: 'Method Not Allowed' });
}

// --- control handler -------------------------------------------------------------------
async function control(req, res, path, query, downloadBase) {
  const body = req.method === 'POST' ? parseJson(await readBody(req)) : undefined;
  if (body === Symbol.for('bad')) return send(res, 400, { message: 'bad JSON' });
  const b = body || {};
  switch (`${req.method} ${path}`) {
    case 'POST /_control/reset': reset(); return send(res, 200, { ok: true });
    case 'POST /_control/shutdown':
      send(res, 200, { ok: true });
      return setImmediate(shutdown);
    case 'POST /_control/tokens':
      state.tokens = { 'read-write': b['read-write'] || [], 'read-only': b['read-only'] || [] };
      return send(res, 200, { ok: true });
    case 'POST /_control/fail':
      state.failures.push({ method: b.method, path: b.path, status: b.status, count: b.count === undefined ? 1 : b.count,
        headers: b.headers, body: b.body, action: b.action });
      return send(res, 200, { ok: true });
    case 'POST /_control/compare':
      state.compares.set(`${b.repo || 'o/r'} ${b.base}...${b.head}`, b.merge_base_sha);
      return send(res, 200, { ok: true });
    case 'POST /_control/comments': {
      const c = addComment(b.repo || 'o/r', b.issue || 1, String(b.body || ''), b.user || 'someone', `http://${req.headers.host}`);
      return send(res, 200, { id: c.id, html_url: c.html_url });
    }
    case 'POST /_control/artifacts': {
      let zip;
      try {
        zip = b.zip_path ? fs.readFileSync(b.zip_path) : Buffer.from(b.zip_base64 || '', 'base64');
      } catch (e) {
        return send(res, 400, { message: `cannot read zip_path: ${e.message}` });
      }
      const created = b.created_at || now();
      const a = {
        id: nextId(), repo: b.repo || 'o/r', name: b.name || 'unentropy-metrics',
        head_branch: b.head_branch === undefined ? 'main' : b.head_branch, head_sha: b.head_sha || '0'.repeat(40),
        expired: !!b.expired, created_at: created,
        expires_at: new Date(Date.parse(created) + 90 * 86400000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        workflow_run_id: b.workflow_run_id || nextId(), zip,
      };
      state.artifacts.push(a);
      return send(res, 200, { id: a.id });
    }
    case 'GET /_control/state': {
      const comments = {};
      for (const [k, list] of state.comments) comments[k] = list.map(commentView);
      return send(res, 200, {
        comments, artifacts: state.artifacts.map((a) => ({ id: a.id, name: a.name, head_branch: a.head_branch })),
        requests: state.requests, download_auth_seen: state.downloadAuthSeen, download_url: downloadBase,
      });
    }
    default: return send(res, 404, { message: 'unknown control endpoint' });
  }
}

// --- servers -----------------------------------------------------------------------------
function handler(kind, getBases) {
  return (req, res) => {
    const u = new URL(req.url, 'http://x');
    const path = u.pathname;
    const query = u.searchParams;
    const { base, downloadBase } = getBases(req);
    if (kind === 'api' && path.startsWith('/_control/')) {
      control(req, res, path, query, downloadBase).catch((e) => send(res, 500, { message: String(e) }));
      return;
    }
    const entry = { method: req.method, path, query: u.search.slice(1), authorization_present: !!req.headers.authorization,
      status: 0, host: kind, user_agent: req.headers['user-agent'] || null };
    state.requests.push(entry);
    res.on('finish', () => { entry.status = res.statusCode; });
    if (kind === 'download' && req.headers.authorization) state.downloadAuthSeen = true;
    const f = takeFailure(req.method, path);
    if (f) {
      req.resume();
      entry.status = applyFailure(f, res);
      return;
    }
    const work = kind === 'api' ? api(req, res, path, query, base, downloadBase) : download(req, res, path);
    Promise.resolve(work).catch((e) => { if (!res.headersSent) send(res, 500, { message: String(e) }); });
  };
}

function download(req, res, path) {
  const m = /^\/download\/(\d+)\.zip$/.exec(path);
  const a = m && state.artifacts.find((x) => x.id === Number(m[1]));
  if (!a || req.method !== 'GET') return send(res, 404, Buffer.from('<Error><Code>BlobNotFound</Code></Error>'), { 'content-type': 'application/xml' });
  return send(res, 200, a.zip, { 'content-type': 'application/zip' });
}

let servers = [];
function shutdown() {
  for (const s of servers) {
    s.close();
    if (s.closeAllConnections) s.closeAllConnections();
  }
  process.exit(0);
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.removeListener('error', reject); resolve(server.address().port); });
  });
}

async function main() {
  const { port } = parseArgs(process.argv);
  let dlHost = '127.0.0.2';
  let dlPort;
  let apiPort;
  const bases = () => ({ base: `http://127.0.0.1:${apiPort}`, downloadBase: `http://${dlHost}:${dlPort}` });
  const dl = http.createServer(handler('download', bases));
  try {
    dlPort = await listen(dl, 0, dlHost);
  } catch (e) {
    dlHost = '127.0.0.1'; // no 127.0.0.2 (not Linux): another port is still another origin
    dlPort = await listen(dl, 0, dlHost);
  }
  const srv = http.createServer(handler('api', bases));
  apiPort = await listen(srv, port, '127.0.0.1');
  servers = [srv, dl];
  for (const s of servers) s.keepAliveTimeout = 1000;
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  try {
    const st = fs.fstatSync(0);
    if (st.isFIFO() || st.isSocket()) {
      process.stdin.on('end', shutdown);
      process.stdin.on('close', shutdown);
      process.stdin.on('error', shutdown);
      process.stdin.resume();
    }
  } catch (e) { /* no stdin */ }
  process.stdout.write(`listening on http://127.0.0.1:${apiPort}\n`);
}

main().catch((e) => {
  process.stderr.write(`github-api: ${e.message}\n`);
  process.exit(1);
});
