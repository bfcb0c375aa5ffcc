// Validates the OGC API's OpenAPI document (/ogc/api) with swagger-parser, against the OpenAPI 3.0
// schema and its rules, as served by the real binary on a fresh, migrated database. make test runs it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { REPO, freePort, run, withDatabase } from './harness.mjs';

const base = process.env.LANDQUOTA_TEST_DATABASE_URL || process.env.TEST_DATABASE_URL;
if (!base) throw new Error('LANDQUOTA_TEST_DATABASE_URL is not set');
const bin = process.env.LANDQUOTA_UI_BIN || join(REPO, 'bin', 'landquota');
if (!process.env.LANDQUOTA_UI_BIN) run('go', ['build', '-o', 'bin/landquota', './cmd/landquota']);
const name = `lq_oas_${randomBytes(5).toString('hex')}`;
const admin = withDatabase(base, 'postgres');
const env = { DATABASE_URL: withDatabase(base, name) };
run('psql', [admin, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', `CREATE DATABASE ${name}`]);
let server;
let failed = false;
try {
  run(bin, ['migrate'], { env });
  const port = await freePort();
  server = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/ogc/api`;
  let doc;
  for (const deadline = Date.now() + 20000; !doc; ) {
    try {
      const res = await fetch(url);
      if (res.ok) doc = await res.json();
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  const api = await SwaggerParser.validate(doc);
  const ops = Object.values(api.paths).length;
  console.log(`ok   ${url}: a valid OpenAPI ${api.openapi} document, ${ops} paths`);
} catch (err) {
  failed = true;
  console.log(`FAIL the OpenAPI document: ${err.message}`);
} finally {
  if (server) server.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  run('psql', [admin, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
}
process.exit(failed ? 1 : 0);
