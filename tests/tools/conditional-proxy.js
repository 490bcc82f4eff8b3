#!/usr/bin/env node
// conditional-proxy.js: a small HTTP proxy of ours in front of s3rver for
// the storage tests. s3rver 4.0.4 ignores If-Match / If-None-Match on PUT
// (lib/controllers/object.js only honours If-None-Match on GET), and it
// writes objects in place, so a GET racing a PUT can see half an object.
// Real S3 does both properly; this proxy restores that behaviour:
//   - every request for one object key is serialized (a per-key queue), so
//     reads and writes are atomic with respect to each other;
//   - a PUT carrying If-Match or If-None-Match is checked against the
//     current ETag (an unsigned HEAD to s3rver, which allows anonymous
//     reads) and answered 412 PreconditionFailed on mismatch, else
//     forwarded unchanged (headers included, so SigV4 still verifies).
// Test controls (ours, never forwarded):
//   GET  /_proxy/state -> {puts, conflicts, requests, session_token_requests}
//   POST /_proxy/fail {method, status, count, code, action} makes the next
//        `count` requests with that method fail: an S3 error reply with
//        `status` and <Code>`code`</Code>, or action "truncate" (a 200 whose
//        body stops halfway: a short body) or "close" (connection dropped).
// Usage: node conditional-proxy.js --upstream http://127.0.0.1:PORT
//        [--port N]; prints "port=<n>" once listening on 127.0.0.1.
'use strict';

const http = require('http');

function arg(name, def) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const upstream = new URL(arg('upstream', ''));
const state = { puts: 0, conflicts: 0, requests: 0, session_token_requests: 0 };
const failures = [];
const queues = new Map(); // key path -> promise of the previous request

function serialize(key, job) {
  const prev = queues.get(key) || Promise.resolve();
  const run = prev.then(job, job);
  const tail = run.catch(() => {});
  queues.set(key, tail);
  tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}

function headEtag(path) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: upstream.hostname, port: upstream.port, method: 'HEAD', path,
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? res.headers.etag : null));
    });
    req.on('error', reject);
    req.end();
  });
}

function forward(req, res) {
  // "Expect" is hop-by-hop (answered below) and never signed by the client.
  const headers = { ...req.headers };
  delete headers.expect;
  return new Promise((resolve) => {
    const up = http.request({
      host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers,
    }, (ures) => {
      res.writeHead(ures.statusCode, ures.headers);
      ures.pipe(res);
      ures.on('end', resolve);
      ures.on('error', resolve);
    });
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
      resolve();
    });
    req.pipe(up);
  });
}

function preconditionFailed(req, res) {
  state.conflicts++;
  req.resume(); // drain the body we will not store
  const body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>' +
    '<Message>At least one of the pre-conditions you specified did not hold</Message></Error>';
  res.writeHead(412, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function readJson(req) {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => { try { resolve(JSON.parse(data || '{}')); } catch (e) { resolve({}); } });
  });
}

function injected(req, res) {
  const i = failures.findIndex((f) => f.method === req.method && f.count > 0);
  if (i < 0) return false;
  const f = failures[i];
  if (--f.count === 0) failures.splice(i, 1);
  req.resume();
  if (f.action === 'close') {
    req.socket.destroy();
  } else if (f.action === 'truncate') {
    res.writeHead(200, { 'Content-Length': 1000, ETag: '"truncated"' });
    res.write(Buffer.alloc(100, 'x'));
    setTimeout(() => req.socket.destroy(), 50);
  } else {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${f.code || 'InternalError'}</Code></Error>`;
    res.writeHead(f.status || 500, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }
  return true;
}

const server = http.createServer(async (req, res) => {
  if (req.url === '/_proxy/state') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(state));
    return;
  }
  if (req.url === '/_proxy/fail' && req.method === 'POST') {
    const f = await readJson(req);
    failures.push({ method: f.method || 'GET', status: f.status, code: f.code, count: f.count || 1, action: f.action });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"ok":true}');
    return;
  }
  state.requests++;
  if (req.headers['x-amz-security-token']) state.session_token_requests++;
  if (injected(req, res)) return;
  const key = req.url.split('?')[0];
  serialize(key, async () => {
    const ifMatch = req.headers['if-match'];
    const ifNoneMatch = req.headers['if-none-match'];
    if (req.method === 'PUT' && (ifMatch || ifNoneMatch)) {
      let current;
      try {
        current = await headEtag(key);
      } catch (e) {
        res.writeHead(502);
        res.end();
        return;
      }
      if (ifNoneMatch === '*' && current) return preconditionFailed(req, res);
      if (ifMatch && ifMatch !== current) return preconditionFailed(req, res);
      state.puts++;
    }
    await forward(req, res);
  });
});

// Clients that send "Expect: 100-continue" get it at once.
server.on('checkContinue', (req, res) => {
  res.writeContinue();
  server.emit('request', req, res);
});

server.listen(Number(arg('port', '0')), '127.0.0.1', () => {
  process.stdout.write(`port=${server.address().port}\n`);
});

function stop() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
