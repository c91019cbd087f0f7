// The pages of `benchaas serve` in a real browser: Debian's chromium driven by
// puppeteer-core (nothing downloads a browser), accessibility checked by
// axe-core inside each page.
//
// A server on 127.0.0.1 port 0 with a temporary database; accounts made with
// the CLI.  A member signs in, submits a STREAM sweep of two sizes from
// /submit/stream, watches the job reach done, finds herself on the
// leaderboard; a bad value comes back next to its field with nothing queued;
// a form without its CSRF token is refused; a viewer has no submit button and
// gets 403 on a forged POST.  HPL with 2 ranks and with 1 rank x 2 threads (uploaded)
// are two leaderboard tables; its run page holds the figure to the node's peak (the site's
// serve.peak_gflops); a schedule is made on /schedules from a job page and removed; an
// alert's details and links are on the dashboard; a cache-sized STREAM run (uploaded with
// its caveat, so on any machine) is left out of the ranking with its reason; /report keeps
// the site's navigation.
// Screenshots of the dashboard, a submit form, a job, a run, the leaderboard, /compare
// and /schedules go to $ARTIFACTS (checked not blank).
//
// Mutations that fail it: the HPL configurations merged (ranks or threads left out of
// the configuration key); page_headline's yardstick words dropped; the schedules form's
// job not pre-chosen from the job page, or "at" not sent; the dashboard's alert links
// not drawn; runs with a caveat ranked by default; /report's navigation back to three links.
//
// Exit 0 pass, 1 fail, 77 skip (no chromium or no node).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { spawn, spawnSync } = require('child_process');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
if (!fs.existsSync(CHROMIUM)) {
  console.log('SKIP: no chromium at ' + CHROMIUM + ' (scripts/deps.sh --test installs it)');
  process.exit(77);
}
let puppeteer, axeSource;
try {
  puppeteer = require('puppeteer-core');
  axeSource = require('axe-core').source;
} catch (e) {
  console.error('FAIL: puppeteer-core or axe-core missing: run scripts/deps.sh --test ' +
                '(npm ci in tests/browser)\n' + e.message);
  process.exit(1);
}

const BENCHAAS = process.env.BENCHAAS;
const ARTIFACTS = process.env.ARTIFACTS || path.join(os.tmpdir(), 'benchaas-browser-artifacts');
fs.mkdirSync(ARTIFACTS, { recursive: true });
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'benchaas-browser-'));
const DB = path.join(TMP, 'b.db');
let server = null, browser = null, serverLog = '';
// The jobs' folder the server makes in /tmp when its run-as user cannot reach the
// database's folder (TMP is 0700), named after that folder (core/serve/policy.c): the
// server keeps it for a restart, so the test removes it, as serve_lib.py does.
const tmpStat = fs.statSync(TMP, { bigint: true });
const SCRATCH = '/tmp/benchaas-scratch-' + tmpStat.dev.toString(16) + '-' + tmpStat.ino.toString(16);
const scratchWasThere = fs.existsSync(SCRATCH);

function cleanup() {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  try {
    if (!process.env.BENCHAAS_TEST_KEEP) {
      fs.rmSync(TMP, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      if (!scratchWasThere)
        fs.rmSync(SCRATCH, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    }
  } catch (e) { console.error('cleanup: ' + e.message); }
}

let failed = false;
async function fail(msg) {
  if (failed) return;
  failed = true;
  console.error('FAIL: ' + msg);
  console.error('--- server log\n' + serverLog.slice(-6000));
  if (browser) await browser.close().catch(() => {});
  cleanup();
  process.exit(1);
}

function check(cond, msg) { if (!cond) throw new Error(msg); }

function bx(args, input) {
  const p = spawnSync(BENCHAAS, args, { input, encoding: 'utf8', timeout: 60000 });
  if (p.status !== 0) throw new Error('benchaas ' + args.join(' ') + ': ' + p.stderr);
  return p.stdout;
}

function startServer() {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.BENCHAAS_PLUGIN_PATH;
    delete env.BENCHAAS_DB;
    // the site's peak, so that the HPL run page has a yardstick on any machine
    fs.writeFileSync(path.join(TMP, 'site.cfg'), 'serve = { peak_gflops = 40.0; };\n');
    server = spawn(BENCHAAS, ['serve', '--listen', '127.0.0.1:0', '--db', DB, '--config',
                              path.join(TMP, 'site.cfg')],
                   { env, cwd: TMP, stdio: ['ignore', 'ignore', 'pipe'] });
    const timer = setTimeout(() => reject(new Error('no "listening on" line')), 30000);
    server.stderr.on('data', (d) => {
      serverLog += d.toString();
      const m = serverLog.match(/benchaas serve: listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) { clearTimeout(timer); resolve(parseInt(m[1], 10)); }
    });
    server.on('exit', (c) => reject(new Error('the server exited with ' + c)));
  });
}

// A plain request with the page's cookies (the API takes the session cookie too).
function api(port, p, cookie) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, headers: { Cookie: cookie } },
                         (res) => {
      let b = '';
      res.on('data', (d) => { b += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: b }));
    });
    req.on('error', reject);
  });
}

// A JSON POST with a bearer token: {status, body}.
function post(port, p, tok, obj) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(obj);
    const req = http.request({ host: '127.0.0.1', port, path: p, method: 'POST', headers: {
      Authorization: 'Bearer ' + tok, 'Content-Type': 'application/json' } }, (res) => {
      let b = '';
      res.on('data', (d) => { b += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: b }));
    });
    req.on('error', reject);
    req.write(data);
    req.end();
  });
}

async function cookieHeader(page) {
  return (await page.cookies()).map((c) => c.name + '=' + c.value).join('; ');
}

// axe-core inside the page: no serious or critical violation.
const paints = [];
async function axe(page, name) {
  // the first contentful paint of the page, for the record (goal: under 1 s)
  const fcp = await page.evaluate(() => {
    const e = performance.getEntriesByName('first-contentful-paint')[0];
    return e ? e.startTime : null;
  });
  if (fcp !== null) paints.push([name, Math.round(fcp)]);
  await page.evaluate(axeSource);
  const res = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.slice(0, 3).map((n) => n.html) }));
  });
  const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of res)
    console.log('axe ' + name + ': ' + v.impact + ' ' + v.id + ' (' + v.help + ')');
  if (bad.length) throw new Error('accessibility of ' + name + ': ' + JSON.stringify(bad, null, 1));
}

// Save a screenshot and check it is not blank (many colours, not all white).
async function shot(page, name) {
  const file = path.join(ARTIFACTS, name + '.png');
  const buf = await page.screenshot({ path: file, fullPage: true });
  const blank = await browser.newPage();
  const stats = await blank.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    let ink = 0, n = 0;
    for (let i = 0; i < d.length; i += 4 * 7) {
      colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      if (d[i] + d[i + 1] + d[i + 2] < 600) ink++;
      n++;
    }
    return { w: c.width, h: c.height, colours: colours.size, ink: ink / n };
  }, Buffer.from(buf).toString('base64'));
  await blank.close();
  console.log('screenshot ' + file + ': ' + JSON.stringify(stats));
  check(stats.w >= 300 && stats.h >= 300 && stats.colours >= 8 && stats.ink > 0.01,
        'screenshot ' + name + ' looks blank: ' + JSON.stringify(stats));
}

async function signIn(page, base, user, password) {
  await page.goto(base + '/login');
  await page.type('#user', user);
  await page.type('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('form.f button[type=submit]')]);
}

async function text(page, sel) {
  return page.$eval(sel, (e) => e.textContent).catch(() => null);
}

(async () => {
  try {
    bx(['user', 'add', 'ann', '--role', 'member', '--password-stdin', '--db', DB],
       'ann-password\n');
    bx(['user', 'add', 'vic', '--role', 'viewer', '--password-stdin', '--db', DB],
       'vic-password\n');
    bx(['user', 'add', 'root', '--role', 'admin', '--password-stdin', '--db', DB],
       'root-password\n');
  } catch (e) { return fail(e.message); }
  let port;
  try { port = await startServer(); } catch (e) { return fail(e.message); }
  const base = 'http://127.0.0.1:' + port;
  const profile = fs.mkdtempSync(path.join(TMP, 'profile-'));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 800 });
  const cspErrors = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text()); });

  // ---- sign-in: a wrong password first, then the right one
  let resp = await page.goto(base + '/');
  check(page.url().startsWith(base + '/login'), 'not signed in: / did not lead to /login');
  await axe(page, 'login');
  await page.type('#user', 'ann');
  await page.type('#password', 'not-her-password');
  await Promise.all([page.waitForNavigation(), page.click('form.f button[type=submit]')]);
  check(/Wrong user name or password/.test(await text(page, '#form-error')),
        'wrong password message: ' + await text(page, 'main'));
  await signIn(page, base, 'ann', 'ann-password');
  check(new URL(page.url()).pathname === '/', 'after sign-in: ' + page.url());
  check(/Signed in as\s*ann/.test((await text(page, 'header .who')).replace(/\u00a0/g, ' ')),
        'who is signed in');
  const cookies = await page.cookies();
  const sess = cookies.find((c) => c.name === 'benchaas_session');
  check(sess && sess.httpOnly && sess.sameSite === 'Strict', 'session cookie flags: ' +
        JSON.stringify(sess));
  await axe(page, 'dashboard (empty)');

  // ---- a bad value: the error next to its field, the typed values kept, nothing queued
  resp = await page.goto(base + '/submit/stream');
  check(resp.status() === 200, '/submit/stream status ' + resp.status());
  await axe(page, 'submit');
  await shot(page, 'submit-stream');
  await page.$eval('#p-array_size', (e) => { e.value = '100000,-5'; });
  await page.$eval('#p-ntimes', (e) => { e.value = '3'; });
  await page.$eval('#x-repetitions', (e) => { e.value = '1'; });
  [resp] = await Promise.all([page.waitForNavigation(), page.click('#submit')]);
  check(resp.status() === 400, 'bad value: status ' + resp.status());
  const fieldErr = await text(page, '#e-array_size');
  check(fieldErr && /array_size|-5/.test(fieldErr), 'no error next to array_size: ' +
        await text(page, 'main'));
  check(await page.$eval('#p-array_size', (e) => e.value) === '100000,-5' &&
        await page.$eval('#p-ntimes', (e) => e.value) === '3', 'typed values not kept');
  check(await page.$eval('#p-array_size', (e) => e.getAttribute('aria-invalid')) === 'true',
        'the bad field is not marked invalid');
  await axe(page, 'submit with an error');
  let jobs = JSON.parse((await api(port, '/api/v1/jobs', await cookieHeader(page))).body);
  check(jobs.jobs && jobs.jobs.length === 0, 'something was queued: ' + JSON.stringify(jobs));

  // ---- a form without its CSRF token is refused
  await page.goto(base + '/submit/stream');
  await page.$eval('#p-array_size', (e) => { e.value = '100000'; });
  await page.$eval('form.f input[name=csrf]', (e) => e.remove());
  [resp] = await Promise.all([page.waitForNavigation(), page.click('#submit')]);
  check(resp.status() === 403 && /security token/.test(await text(page, 'main')),
        'form without CSRF token: status ' + resp.status());
  jobs = JSON.parse((await api(port, '/api/v1/jobs', await cookieHeader(page))).body);
  check(jobs.jobs.length === 0, 'queued without a CSRF token');

  // ---- a STREAM sweep of two sizes, counted, then queued; the job reaches done
  await page.goto(base + '/submit/stream');
  await page.$eval('#p-array_size', (e) => { e.value = '100000,200000'; });
  await page.$eval('#p-ntimes', (e) => { e.value = '3'; });
  await page.$eval('#x-repetitions', (e) => { e.value = '2'; });
  await Promise.all([page.waitForNavigation(), page.click('button[value=count]')]);
  check(/make 2 points/.test(await text(page, '#points')), 'points count: ' +
        await text(page, 'main'));
  [resp] = await Promise.all([page.waitForNavigation(), page.click('#submit')]);
  const jobUrl = page.url();
  check(/\/jobs\/\d+$/.test(jobUrl), 'after submit: ' + jobUrl + ' ' + await text(page, 'main'));
  let state = '';
  for (let i = 0; i < 240 && !['done', 'failed', 'cancelled'].includes(state); i++) {
    await new Promise((r) => setTimeout(r, 500));
    await page.goto(jobUrl);
    state = (await text(page, '#job-state')).trim();
  }
  check(state === 'done', 'the job ended ' + state + ': ' + await text(page, 'main'));
  check((await page.$$('#points a[href^="/runs/"]')).length === 2, 'two runs on the job page');
  await axe(page, 'job');
  await shot(page, 'job');

  // ---- /compare chosen from the job page: the job against itself, answered in a sentence
  // per configuration (2 repetitions each: too few, and how many would do), both drawn
  await Promise.all([page.waitForNavigation(), page.click('#compare-job')]);
  const jobId = jobUrl.match(/(\d+)$/)[1];
  check(await page.$eval('#a', (e) => e.value) === 'job:' + jobId, 'compare: A not the job');
  await page.type('#b', 'job:' + jobId);
  await Promise.all([page.waitForNavigation(), page.click('form.row button')]);
  const answers = await page.$$eval('.answer', (ps) => ps.map((p) => p.textContent));
  check(answers.length === 2 && answers.every((t) =>
    /Too few repetitions to tell\. With 2 against 2 values .* 4 repetitions on each side could/
      .test(t)), 'compare: ' + JSON.stringify(answers));
  check((await page.$$('svg.strip')).length === 2 &&
        /Mann-Whitney U/.test(await text(page, 'main')), 'compare: no drawing or statistic');
  await axe(page, 'compare');
  await shot(page, 'compare');
  await page.goto(jobUrl);

  // ---- a run
  await Promise.all([page.waitForNavigation(), page.click('#points a[href^="/runs/"]')]);
  check(/Metrics/.test(await text(page, 'main')) && (await page.$$('svg.chart')).length >= 1,
        'run page without metrics or charts');
  check(/MB\/s/.test(await text(page, 'main')), 'run page: metrics without units');
  await axe(page, 'run');
  await shot(page, 'run');

  // ---- the leaderboard: ann's two sizes are two configurations; arrays that fit in the
  // cache (STREAM says so) are left out of the ranking with the reason, and a link ranks them
  await page.goto(base + '/leaderboard/stream');
  const cached = await page.$$eval('#left-out tr.mine', (rs) => rs.map((r) => r.textContent));
  const ranked = await page.$$eval('#leaderboard tr.mine', (rs) => rs.map((r) => r.textContent));
  if (cached.length) {
    check(cached.length === 2 && ranked.length === 0 && cached.every((t) => /cache/.test(t)),
          'cache-sized STREAM runs not left out with their reason: ' + cached + ' / ' + ranked);
    await Promise.all([page.waitForNavigation(), page.click('#left-out a[href*="include=warned"]')]);
  }
  const mine = await page.$$eval('#leaderboard tr.mine', (rs) => rs.map((r) => r.textContent));
  check(mine.length === 2 && mine.every((t) => /ann/.test(t)), 'leaderboard: ' + mine);
  const configs = await page.$$eval('#leaderboard h3.config', (hs) => hs.map((h) => h.textContent));
  check(configs.length === 2 && configs.some((t) => /array_size=100\u2009000/.test(t)) &&
        configs.every((t) => /1 rank × 1 thread/.test(t)),
        'one table per configuration, headed by it: ' + configs);
  await page.select('#metric', 'triad');
  await Promise.all([page.waitForNavigation(), page.click('form.row button')]);
  check(/Ranked by triad/.test(await text(page, 'main')), 'metric choice');
  await axe(page, 'leaderboard');
  await shot(page, 'leaderboard');

  // ---- HPL with 2 ranks and with 1 rank x 2 threads (uploaded result documents, as another
  // cluster sends them: the same two cores): two configurations, two tables, never one row
  const upTok = bx(['token', 'create', 'ann', '--db', DB]).trim();
  const hplRuns = [];
  for (const [ranks, threads, gf] of [[2, 1, 3.1], [1, 2, 2.9]]) {
    const up = await post(port, '/api/v1/results', upTok, {
      result_version: 1, uuid: '5e0b6c2a-1d3f-4c8e-9a7b-00000000000' + ranks, plugin: 'hpl',
      plugin_version: '1.0.0', status: 'ok', started_at: '2026-11-20T10:00:00Z',
      finished_at: '2026-11-20T10:00:05Z', host: 'far01', ranks, threads,
      params: { N: { value: '3000', type: 'int' } },
      metrics: { gflops: { value: gf, unit: 'GFLOP/s', better: 'higher' } } });
    check(up.status === 201, 'hpl upload: ' + up.status + ' ' + up.body);
    hplRuns.push('/runs/' + JSON.parse(up.body).run_id);
  }
  await page.goto(base + '/leaderboard/hpl');
  const hplTables = await page.$$eval('#leaderboard h3.config', (hs) => hs.map((h) => h.textContent));
  check(hplTables.length === 2 && hplTables.some((t) => /2 ranks × 1 thread/.test(t)) &&
        hplTables.some((t) => /1 rank × 2 threads/.test(t)),
        'hpl: ranks and threads not apart: ' + JSON.stringify(hplTables));
  check((await page.$$('#leaderboard tr.mine')).length === 2, 'hpl: not one row per table');

  // ---- the yardstick on the run page: HPL against the node's peak (the site's 40 GFLOP/s)
  const hplRun = hplRuns[0];
  await page.goto(base + hplRun);
  const head = await text(page, '#headline');
  check(/GFLOP\/s .*— \d+ % of this node's peak of 40 GFLOP\/s/.test(head) &&
        /peak_gflops/.test(head), 'run page yardstick: ' + head);

  // ---- a schedule made on its page, from a job page: the job chosen, at 02:30 (UTC)
  await page.goto(jobUrl);
  await Promise.all([page.waitForNavigation(), page.click('#schedule-job')]);
  check(await page.$eval('input[name=job][value="' + jobId + '"]', (e) => e.checked),
        'schedules: the job is not chosen');
  await page.$eval('input[name=job][value="' + jobId + '"]', (e) => { e.checked = false; });
  [resp] = await Promise.all([page.waitForNavigation(),
                              page.click('#schedule-form button[type=submit]')]);
  check(resp.status() === 400 && /choose at least one job/.test(await text(page, '#err-jobs')),
        'schedule without a job: ' + resp.status());
  await page.$eval('input[name=job][value="' + jobId + '"]', (e) => { e.checked = true; });
  await page.$eval('#at', (e) => { e.value = '02:30'; });
  [resp] = await Promise.all([page.waitForNavigation(),
                              page.click('#schedule-form button[type=submit]')]);
  check(/Schedule \d+ made/.test(await text(page, '#schedule-msg')),
        'schedule not made: ' + await text(page, 'main'));
  const rows = await page.$$eval('#schedules tbody tr', (rs) => rs.map((r) => r.textContent));
  check(rows.length === 1 && /every day at 02:30 UTC/.test(rows[0]) && /stream/.test(rows[0]) &&
        /not run yet/.test(rows[0]), 'schedules table: ' + JSON.stringify(rows));
  const sch = JSON.parse((await api(port, '/api/v1/schedules', await cookieHeader(page))).body);
  check(sch.schedules.length === 1 && /T02:30:00Z$/.test(sch.schedules[0].next_at) &&
        sch.schedules[0].jobs[0].plugin === 'stream', 'the schedule: ' + JSON.stringify(sch));
  await axe(page, 'schedules');
  await shot(page, 'schedules');

  // ---- an alert with its details on the dashboard: what, where, the change, and links to
  // the run and to a comparison (stored as a scheduled check stores one)
  const runId = hplRun.split('/').pop();
  const msg = 'benchaas: major regression of hpl gflops on node01 (N=200): 1.2 GFLOP/s against ' +
              '2.4 GFLOP/s (-50.0 %) in scheduled job ' + jobId + ' (schedule ' +
              sch.schedules[0].id + '), confirmed.';
  const ins = spawnSync('python3', ['-c',
    'import sqlite3, sys, json\n' +
    'c = sqlite3.connect(sys.argv[1], timeout=30)\n' +
    'c.execute("INSERT INTO alerts (created_at, job_id, schedule_id, message, payload_json, ' +
    'severity, run_id) VALUES (?, ?, ?, ?, ?, ?, ?)", ("2026-12-01T00:00:00Z", int(sys.argv[2]), ' +
    'int(sys.argv[3]), sys.argv[4], json.dumps({"links": {"run": "/runs/" + sys.argv[5], ' +
    '"compare": "/compare?a=" + sys.argv[5] + "&b=" + sys.argv[5]}}), "major", int(sys.argv[5])))\n' +
    'c.commit()\n', DB, jobId, String(sch.schedules[0].id), msg, runId], { encoding: 'utf8' });
  check(ins.status === 0, 'alert insert: ' + ins.stderr);
  await page.goto(base + '/');
  const alerts = await page.$$eval('#h-reg ~ ul li', (ls) => ls.map((l) => l.textContent));
  check(alerts.length === 1 && /hpl gflops on node01/.test(alerts[0]) && /-50\.0 %/.test(alerts[0]),
        'dashboard alert: ' + JSON.stringify(alerts));
  const links = await page.$$eval('a.alert-link', (as) => as.map((a) => a.getAttribute('href')));
  check(links.includes(hplRun) && links.some((l) => l.startsWith('/compare?')),
        'alert links: ' + links);
  await Promise.all([page.waitForNavigation(), page.click('a.alert-link[href^="/compare"]')]);
  check((await page.$$('.answer')).length >= 1, 'the alert\'s comparison: ' +
        await text(page, 'main'));

  // the schedule removed from its page
  await page.goto(base + '/schedules');
  await Promise.all([page.waitForNavigation(), page.click('#schedules button.danger')]);
  check(await page.$('#no-schedules') !== null, 'schedule not removed');

  // ---- the dashboard with results
  await page.goto(base + '/');
  check(/triad/.test(await text(page, 'main')) && (await page.$$('svg.spark')).length >= 1,
        'dashboard: no headline or trend');
  // a trend line per configuration: the two STREAM sizes are two rows, never one line
  const trends = await page.$$eval('#latest tbody tr', (rs) => rs
    .filter((r) => /stream/.test(r.cells[0].textContent))
    .map((r) => [r.cells[2].textContent, r.querySelectorAll('svg.spark').length,
                 r.cells[4].textContent]));
  check(trends.length === 2 && trends.every((t) => t[1] === 1 && /1 run/.test(t[2])) &&
        trends.some((t) => /array_size=100\u2009000/.test(t[0])) &&
        trends.some((t) => /array_size=200\u2009000/.test(t[0])),
        'dashboard: not one trend per configuration: ' + JSON.stringify(trends));
  await axe(page, 'dashboard');
  await shot(page, 'dashboard');
  for (const p of ['/jobs', '/compare', '/leaderboard', '/schedules']) {
    resp = await page.goto(base + p);
    check(resp.status() === 200, p + ': ' + resp.status());
    await axe(page, p);
  }

  // ---- a run whose plugin said its figure is not what the metric means (STREAM arrays that
  // fit in the cache, uploaded with that caveat, so on any machine) is left out of the
  // ranking with its reason, and ranked when asked
  const cacheUp = await post(port, '/api/v1/results', upTok, {
    result_version: 1, uuid: '5e0b6c2a-1d3f-4c8e-9a7b-0000000000c0', plugin: 'stream',
    plugin_version: '1.0.0', status: 'ok', started_at: '2026-11-21T10:00:00Z',
    finished_at: '2026-11-21T10:00:02Z', host: 'far02', ranks: 1, threads: 1,
    params: { array_size: { value: '4000', type: 'int' } },
    metrics: { triad: { value: 99999, unit: 'MB/s', better: 'higher' } },
    meta: { caveat: 'the three arrays fit in the cache: this measures the cache, not memory' } });
  check(cacheUp.status === 201, 'stream upload: ' + cacheUp.status + ' ' + cacheUp.body);
  await page.goto(base + '/leaderboard/stream?metric=triad');
  const outRows = await page.$$eval('#left-out tr', (rs) => rs.map((r) => r.textContent));
  const inRows = await page.$$eval('#leaderboard tr', (rs) => rs.map((r) => r.textContent));
  check(outRows.some((t) => /far02/.test(t) && /fit in the cache/.test(t)) &&
        !inRows.some((t) => /far02/.test(t)),
        'a cache-sized run not left out with its reason: ' + JSON.stringify(outRows));
  await Promise.all([page.waitForNavigation(), page.click('#left-out a[href*="include=warned"]')]);
  check((await page.$$eval('#leaderboard tr', (rs) => rs.map((r) => r.textContent)))
    .some((t) => /far02/.test(t)), 'include=warned does not rank the cache-sized run');

  // ---- a viewer: no submit button, 403 on a forged POST
  const ctx = await browser.createBrowserContext();
  const vp = await ctx.newPage();
  await signIn(vp, base, 'vic', 'vic-password');
  check((await vp.$$('a[href^="/submit"]')).length === 0, 'a viewer sees a submit link');
  await vp.goto(base + '/schedules');
  check(await vp.$('#schedule-form') === null, 'a viewer is offered the schedule form');
  resp = await vp.goto(base + '/submit/stream');
  check(resp.status() === 403, 'viewer GET /submit/stream: ' + resp.status());
  await vp.goto(base + '/');
  [resp] = await Promise.all([vp.waitForNavigation(), vp.evaluate(() => {
    const f = document.createElement('form');
    f.method = 'post';
    f.action = '/submit/stream';
    for (const [k, v] of [['csrf', document.querySelector('input[name=csrf]').value],
                          ['array_size', '100000']]) {
      const i = document.createElement('input');
      i.type = 'hidden'; i.name = k; i.value = v;
      f.appendChild(i);
    }
    document.body.appendChild(f);
    f.submit();
  })]);
  check(resp.status() === 403, 'viewer forged POST: ' + resp.status());
  jobs = JSON.parse((await api(port, '/api/v1/jobs', await cookieHeader(page))).body);
  check(jobs.jobs.length === 1, 'the viewer queued a job');
  await ctx.close();

  // ---- an admin: the users page, and the report
  const actx = await browser.createBrowserContext();
  const ap = await actx.newPage();
  await signIn(ap, base, 'root', 'root-password');
  resp = await ap.goto(base + '/admin/users');
  check(resp.status() === 200 && /ann/.test(await text(ap, '#users')), '/admin/users');
  await axe(ap, '/admin/users');
  resp = await ap.goto(base + '/report?plugin=stream');
  check(resp.status() === 200 && (await ap.$$('svg')).length > 0, '/report: ' + resp.status());
  const reportNav = await ap.$$eval('nav.site a', (as) => as.map((a) => a.getAttribute('href')));
  for (const h of ['/', '/jobs', '/submit', '/leaderboard', '/compare', '/report', '/schedules',
                   '/admin/users'])
    check(reportNav.includes(h), '/report without the site navigation to ' + h + ': ' + reportNav);
  await axe(ap, '/report');
  await actx.close();

  check(cspErrors.length === 0, 'Content-Security-Policy violations: ' + cspErrors.join('\n'));
  await browser.close();
  browser = null;
  server.kill('SIGTERM');
  cleanup();
  console.log('first contentful paint (ms): ' + paints.map((p) => p.join(' ')).join(', '));
  console.log('PASS: screenshots in ' + ARTIFACTS);
  process.exit(0);
})().catch((e) => fail(e.stack || String(e)));
