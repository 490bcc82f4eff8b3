#!/usr/bin/env node
// s3-server.js: starts @20minutes/s3rver (a real S3-compatible server) for
// the storage tests and benchmark. It listens on 127.0.0.1 with a random
// port (or --port), creates the bucket, registers the access key pair so
// that SigV4 signatures are CHECKED (a wrong secret gets 403
// SignatureDoesNotMatch), and prints "port=<n>" on stdout once ready.
// Usage: node s3-server.js --dir DIR [--bucket B] [--access-key K]
//        [--secret S] [--port N] [--service-endpoint HOST]
//        [--allow-mismatched-signatures]
// The last flag exists for virtual-host URLs only: s3rver signs those as
// "/<bucket>/<key>" (SigV2 style) while AWS SigV4 uses "/<key>", so a
// correct SigV4 client cannot match it there.
// Run with NODE_OPTIONS=--openssl-legacy-provider. Stops on SIGTERM/SIGINT.
'use strict';

const path = require('path');
const S3rver = require('@20minutes/s3rver');
const { DUMMY_ACCOUNT } = require('@20minutes/s3rver/lib/models/account');

function arg(name, def) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const dir = arg('dir');
if (!dir) {
  process.stderr.write('usage: s3-server.js --dir DIR [--bucket B] [--access-key K] [--secret S] [--port N]\n');
  process.exit(2);
}
const bucket = arg('bucket', 'metrics');
const accessKey = arg('access-key', 'AKIDEXAMPLETEST');
const secret = arg('secret', 'test-secret-key');
// The default S3RVER/S3RVER pair stays registered; ours is added.
DUMMY_ACCOUNT.createKeyPair(accessKey, secret);

const server = new S3rver({
  address: '127.0.0.1',
  port: Number(arg('port', '0')),
  silent: true,
  directory: path.resolve(dir),
  serviceEndpoint: arg('service-endpoint', 'amazonaws.com'),
  allowMismatchedSignatures: process.argv.includes('--allow-mismatched-signatures'),
  configureBuckets: [{ name: bucket }],
});

server.run().then((addr) => {
  process.stdout.write(`port=${addr.port}\n`);
}, (err) => {
  process.stderr.write(`s3-server: ${err.stack || err}\n`);
  process.exit(1);
});

function stop() {
  server.close().then(() => process.exit(0), () => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
