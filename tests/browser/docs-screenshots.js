// Make the screenshots of docs/serve.md ("Pages"): a temporary server and
// database, two members' STREAM sweeps through the API, then the pages in
// Debian's chromium (and an alert, stored as a scheduled check stores one, with figures made
// up for the picture and saying so).  Not a test; run by hand after changing the pages:
//
//   BENCHAAS=build/bin/benchaas node tests/browser/docs-screenshots.js docs/img
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { spawn, spawnSync } = require('child_process');
const puppeteer = require('puppeteer-core');

const BENCHAAS = path.resolve(process.env.BENCHAAS || 'build/bin/benchaas');
const OUT = path.resolve(process.argv[2] || 'docs/img');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'benchaas-shots-'));
const DB = path.join(TMP, 'demo.db');
fs.mkdirSync(OUT, { recursive: true });

function bx(args, input) {
  const p = spawnSync(BENCHAAS, args, { input, encoding: 'utf8' });
  if (p.status !== 0) throw new Error(args.join(' ') + ': ' + p.stderr);
  return p.stdout.trim();
}

function call(port, method, p, tok, body) {
  return new Promise((resolve, reject) => {
    const data = body ? JSON.stringify(body) : null;
    const req = http.request({ host: '127.0.0.1', port, path: p, method, headers: {
      Authorization: 'Bearer ' + tok, 'Content-Type': 'application/json' } }, (res) => {
      let b = '';
      res.on('data', (d) => { b += d; });
      res.on('end', () => resolve(JSON.parse(b || '{}')));
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

// An alert's message in the words alerts.c uses, from the real triad of runs a and b (an
// example for the picture: b against a, whichever way it went).
async function alertText(port, tok, a, b, job) {
  const triad = async (id) => {
    const r = (await call(port, 'GET', '/api/v1/runs/' + id, tok)).run;
    return [r.metrics.triad.value, r.host];
  };
  const [va] = await triad(a);
  const [vb, host] = await triad(b);
  return 'benchaas: example alert for the picture: stream triad on ' + host +
         ' (array_size=200000): ' + vb.toFixed(0) + ' MB/s against ' + va.toFixed(0) +
         ' MB/s (' + (100 * (vb - va) / va).toFixed(1) + ' %) in scheduled job ' + job + '.';
}

(async () => {
  for (const [u, r] of [['ann', 'member'], ['bob', 'member'], ['root', 'admin']])
    bx(['user', 'add', u, '--role', r, '--password-stdin', '--db', DB], u + '-password\n');
  const tok = { ann: bx(['token', 'create', 'ann', '--db', DB]),
                bob: bx(['token', 'create', 'bob', '--db', DB]) };
  const env = { ...process.env };
  delete env.BENCHAAS_PLUGIN_PATH;
  const server = spawn(BENCHAAS, ['serve', '--listen', '127.0.0.1:0', '--db', DB],
                       { env, cwd: TMP, stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise((resolve) => {
    let log = '';
    server.stderr.on('data', (d) => {
      log += d;
      const m = log.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) resolve(parseInt(m[1], 10));
    });
  });
  const jobs = [];
  for (let i = 0; i < 3; i++) {
    jobs.push((await call(port, 'POST', '/api/v1/jobs', tok.ann, { plugin: 'stream', name:
      'sizes', params: { array_size: [200000, 1000000, 4000000], ntimes: 5 },
      repetitions: 3 })).job.id);
    jobs.push((await call(port, 'POST', '/api/v1/jobs', tok.bob, { plugin: 'stream', name:
      'bob-sizes', params: { array_size: [500000, 2000000], ntimes: 5 }, repetitions: 3 }))
      .job.id);
  }
  // the default size (computed from the cache, so measuring memory): 1 thread twice (a
  // typical value for the yardstick), 2 threads
  for (const threads of [1, 1, 2])
    jobs.push((await call(port, 'POST', '/api/v1/jobs', tok.ann, { plugin: 'stream', name:
      'default', params: { ntimes: 5 }, threads, repetitions: 2 })).job.id);
  for (;;) {
    const j = await call(port, 'GET', '/api/v1/jobs/' + jobs[jobs.length - 1], tok.ann);
    if (['done', 'failed', 'cancelled'].includes(j.job.state)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  // two runs of one configuration for /compare (3 repetitions each), a schedule of a suite
  // at 02:30, and an alert as a scheduled check stores one, for the dashboard
  const runA = (await call(port, 'GET', '/api/v1/jobs/' + jobs[0], tok.ann)).job.runs[0];
  const runB = (await call(port, 'GET', '/api/v1/jobs/' + jobs[2], tok.ann)).job.runs[0];
  const sch = await call(port, 'POST', '/api/v1/schedules', tok.ann, { jobs: [
    { plugin: 'stream', name: 'nightly-default', params: { ntimes: 5 }, repetitions: 3 },
    { plugin: 'stream', name: 'nightly-sizes', params: { array_size: [1000000, 4000000] } }],
    at: '02:30' });
  let ins;
  try {
    ins = spawnSync('python3', ['-c',
    'import sqlite3, sys, json\n' +
    'c = sqlite3.connect(sys.argv[1], timeout=30)\n' +
    'c.execute("INSERT INTO alerts (created_at, job_id, schedule_id, message, payload_json, ' +
    'severity, run_id) VALUES (strftime(\'%Y-%m-%dT%H:%M:%SZ\'), ?, ?, ?, ?, \'major\', ?)", ' +
    '(int(sys.argv[2]), int(sys.argv[3]) if sys.argv[3].isdigit() else None, sys.argv[4], ' +
    'json.dumps({"links": {"run": "/runs/" + sys.argv[5], "compare": "/compare?a=" + ' +
    'sys.argv[6] + "&b=" + sys.argv[5]}}), int(sys.argv[5])))\nc.commit()\n', DB,
    String(jobs[2]), String(sch.schedule ? sch.schedule.id : ''),
    await alertText(port, tok.ann, runA, runB, jobs[2]), String(runB), String(runA)],
    { encoding: 'utf8' });
  } catch (e) { ins = { status: 1, stderr: String(e) }; }
  if (ins.status !== 0) console.error('alert not stored: ' + ins.stderr);
  // one job left queued and one running for the dashboard
  await call(port, 'POST', '/api/v1/jobs', tok.bob, { plugin: 'stream', name: 'big',
    params: { array_size: [20000000, 40000000], ntimes: 20 }, repetitions: 5 });
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    userDataDir: path.join(TMP, 'profile'),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage();
  await page.setViewport({ width: 1180, height: 820 });
  const base = 'http://127.0.0.1:' + port;
  await page.goto(base + '/login');
  await page.type('#user', 'ann');
  await page.type('#password', 'ann-password');
  await Promise.all([page.waitForNavigation(), page.click('form.f button')]);
  await new Promise((r) => setTimeout(r, 1500));
  await page.goto(base + '/');
  await page.screenshot({ path: path.join(OUT, 'serve-dashboard.png') });
  await page.goto(base + '/submit/stream');
  await page.$eval('#p-array_size', (e) => { e.value = '1000000,abc'; });
  await Promise.all([page.waitForNavigation(), page.click('#submit')]);
  await page.screenshot({ path: path.join(OUT, 'serve-submit.png') });
  await page.goto(base + '/jobs/' + jobs[0]);
  await page.screenshot({ path: path.join(OUT, 'serve-job.png') });
  await page.goto(base + '/jobs/' + jobs[jobs.length - 1]);
  const run = await page.$eval('#points a[href^="/runs/"]', (a) => a.getAttribute('href'));
  await page.goto(base + run);
  await page.screenshot({ path: path.join(OUT, 'serve-run.png'), fullPage: true });
  await page.goto(base + '/leaderboard/stream?metric=triad');
  await page.screenshot({ path: path.join(OUT, 'serve-leaderboard.png') });
  await page.goto(base + '/compare?a=' + runA + '&b=' + runB);
  await page.screenshot({ path: path.join(OUT, 'serve-compare.png'), fullPage: true });
  await page.goto(base + '/schedules');
  await page.screenshot({ path: path.join(OUT, 'serve-schedules.png') });
  await page.setViewport({ width: 390, height: 844, isMobile: true, deviceScaleFactor: 1 });
  await page.goto(base + '/');
  await page.screenshot({ path: path.join(OUT, 'serve-dashboard-phone.png') });
  await browser.close();
  server.kill('SIGTERM');
  fs.rmSync(TMP, { recursive: true, force: true, maxRetries: 5 });
  console.log('screenshots in ' + OUT);
})().catch((e) => { console.error(e); process.exit(1); });
