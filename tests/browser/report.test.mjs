// tests/browser/report.test.mjs: the HTML report in headless Chromium
// (report.md §11). Generates fixture reports with the real binary, opens
// them from file:// with networking off and every request outside file:,
// data: and blob: aborted and counted, and checks: no console errors, no
// failed or remote requests, canvases and ids, non-blank charts, footer
// version and build count, locked mode, date presets, custom range, theme
// toggle, crosshair tooltips, drag-zoom and reset, preview switch, the XSS
// fixture staying inert, CSV/JSON export equal to `report --format`, and
// formatValue equal to lua/unentropy/format.lua on a table of values.
// Screenshots go to $ARTIFACTS (default: <binary dir>/test-artifacts).
// Needs: playwright-core in tests/tools/node_modules, /usr/bin/chromium.
// env: UNENTROPY (binary), SRC (repo root), ARTIFACTS, CHROMIUM,
//      REPORT_BIG=1 also times a 10,000 x 50 report.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SRC = process.env.SRC || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const BIN = process.env.UNENTROPY || path.join(SRC, 'build/unentropy');
const ARTIFACTS = process.env.ARTIFACTS || path.join(path.dirname(BIN), 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const require = createRequire(path.join(SRC, 'tests/tools/'));
const { chromium } = require('playwright-core');

const FIX = path.join(SRC, 'tests/fixtures/report');
const EPOCH = '1735689600'; // 2025-01-01T00:00:00Z
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'unentropy-browser-'));
let profile = null;
// Temp dirs go even when a step throws (node then exits, and Chromium with it).
process.on('exit', () => {
  fs.rmSync(TMP, { recursive: true, force: true });
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});
fs.mkdirSync(ARTIFACTS, { recursive: true });

let passed = 0;
let failed = 0;
function ok(name) { passed++; console.log('ok   ' + name); }
function bad(name, detail) { failed++; console.log('FAIL ' + name + (detail ? '\n  ' + String(detail).split('\n').join('\n  ') : '')); }
function check(name, cond, detail) { if (cond) ok(name); else bad(name, detail); }
function eq(name, actual, expected) {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  check(name, a === e, 'expected: ' + e + '\nactual:   ' + a);
}

const ENV = { ...process.env, SOURCE_DATE_EPOCH: EPOCH, GITHUB_REPOSITORY: '', CI_PROJECT_PATH: '' };
function run(args, opts = {}) {
  return execFileSync(BIN, args, { cwd: TMP, env: ENV, encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
}
function seed(db, kind, ...rest) { run(['run', path.join(FIX, 'seed.lua'), path.join(TMP, db), kind, ...rest]); }
function report(name, cfg, db, extra = []) {
  const out = path.join(TMP, name);
  run(['report', '-c', path.join(FIX, cfg), '--db', path.join(TMP, db), '-o', out, ...extra]);
  return out;
}

// ---- fixtures -----------------------------------------------------------------
seed('std.db', 'standard');
seed('sparse.db', 'sparse');
seed('xss.db', 'xss');
seed('large.db', 'big', '3000', '4');
const XSS_REPO = '</script><script>window.__xss=1</script>/"><img src=x onerror=window.__xss=1>';
const R = {
  flat: report('flat', 'flat.json', 'std.db', ['--repository', 'acme/widgets']),
  sectioned: report('sectioned', 'sectioned.json', 'std.db', ['--repository', 'acme/widgets']),
  dark: report('dark', 'dark.json', 'std.db', ['--repository', 'acme/widgets']),
  sparse: report('sparse', 'flat.json', 'sparse.db', ['--repository', 'acme/widgets']),
  xss: report('xss', 'xss.json', 'xss.db', ['--repository', XSS_REPO]),
  large: report('large', 'large.json', 'large.db', ['--repository', 'acme/large']),
};
run(['preview', '-c', path.join(FIX, 'flat.json'), '-o', path.join(TMP, 'preview')]);
R.preview = path.join(TMP, 'preview');
for (const kind of ['csv', 'json']) {
  run(['report', '-c', path.join(FIX, 'flat.json'), '--db', path.join(TMP, 'std.db'), '-o', path.join(TMP, 'export'),
    '--format', kind, '--repository', 'acme/widgets']);
}
const THEMES = ['lattice', 'flux', 'halftone', 'specimen'];
for (const t of THEMES) {
  const cfg = JSON.parse(fs.readFileSync(path.join(FIX, 'flat.json'), 'utf8'));
  cfg.report = { theme: t };
  const p = path.join(TMP, 'theme-' + t + '.json');
  fs.writeFileSync(p, JSON.stringify(cfg));
  run(['report', '-c', p, '--db', path.join(TMP, 'std.db'), '-o', path.join(TMP, 'theme-' + t), '--repository', 'acme/widgets']);
}
if (process.env.REPORT_BIG === '1') {
  seed('big.db', 'big', '10000', '50');
  const cfg = { metrics: {} };
  for (let m = 1; m <= 50; m++) cfg.metrics['metric-' + m] = { type: 'numeric', unit: 'integer', command: 'echo 1' };
  fs.writeFileSync(path.join(TMP, 'big.json'), JSON.stringify(cfg));
  run(['report', '-c', path.join(TMP, 'big.json'), '--db', path.join(TMP, 'big.db'), '-o', path.join(TMP, 'big')]);
  R.big = path.join(TMP, 'big');
}
const VERSION = run(['--version']).trim().replace(/^unentropy\s+v?/, '');
const FORMAT_CASES = JSON.parse(run(['run', path.join(SRC, 'tests/browser/format_cases.lua')]));

// ---- browser --------------------------------------------------------------------
profile = fs.mkdtempSync(path.join(os.tmpdir(), 'unentropy-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
  timezoneId: 'UTC',
  locale: 'en-US',
  acceptDownloads: true,
  offline: true,
});
const remote = [];
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (/^(file|data|blob):/.test(url)) return route.continue();
  remote.push(url);
  return route.abort();
});

async function open(dir, { scheme = 'dark', width = 1280, height = 900 } = {}) {
  const page = await context.newPage();
  await page.setViewportSize({ width, height });
  await page.emulateMedia({ colorScheme: scheme });
  const log = { errors: [], failed: [], requests: [] };
  page.on('console', (m) => { if (m.type() === 'error') log.errors.push(m.text()); });
  page.on('pageerror', (e) => log.errors.push('pageerror: ' + e.message));
  page.on('requestfailed', (r) => log.failed.push(r.url()));
  page.on('request', (r) => log.requests.push(r.url()));
  const t0 = Date.now();
  await page.goto('file://' + path.join(dir, 'index.html'));
  await page.waitForFunction(() => window.unentropyReport && window.unentropyReport.isReady(), null, { timeout: 20000 });
  await settle(page);
  log.loadMs = Date.now() - t0;
  return { page, log };
}

async function settle(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.waitForTimeout(350); // chart animations are 250 ms
}

function clean(name, log) {
  eq(name + ': no console errors', log.errors, []);
  eq(name + ': no failed requests', log.failed, []);
  const outside = log.requests.filter((u) => !/^(file|data|blob):/.test(u));
  eq(name + ': no network requests', outside, []);
  const files = log.requests.filter((u) => u.startsWith('file:') && !u.endsWith('/index.html'));
  eq(name + ': no file loaded besides the page', files, []);
}

// Canvas ids and, per visible canvas, how many pixels are painted.
async function canvases(page) {
  return page.evaluate(() => Array.from(document.querySelectorAll('canvas')).map((c) => {
    const visible = !!c.offsetParent;
    let painted = 0;
    if (visible && c.width && c.height) {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) painted++;
    }
    return { id: c.id, kind: c.dataset.kind, visible, painted, w: c.width, h: c.height };
  }));
}

async function shot(page, name, fullPage = true) {
  await page.screenshot({ path: path.join(ARTIFACTS, 'report-' + name + '.png'), fullPage });
}

const text = (page, sel) => page.$eval(sel, (e) => e.textContent.replace(/\s+/g, ' ').trim());

// ---- flat -------------------------------------------------------------------------
{
  const { page, log } = await open(R.flat);
  const cs = await canvases(page);
  eq('flat: canvas ids', cs.map((c) => c.id), ['chart-coverage', 'chart-loc', 'chart-bundle', 'chart-build-time',
    'chart-score', 'chart-status']);
  const blank = cs.filter((c) => c.visible && c.painted < 2000);
  eq('flat: every chart drew (non-blank canvases)', blank.map((c) => c.id + ':' + c.painted), []);
  check('flat: charts have real size', cs.every((c) => c.w > 200 && c.h > 150), JSON.stringify(cs));
  eq('flat: title', await page.title(), 'Unentropy Metrics Report - acme/widgets');
  eq('flat: build count', await text(page, '.uent-count'), '60 builds');
  const footer = await text(page, '.uent-footer');
  check('flat: footer has the real version', footer.includes('unentropy v' + VERSION + ' '), footer);
  check('flat: footer texts', footer.includes('60 builds') && footer.includes('Nov 1, 2024 — Dec 30, 2024') &&
    footer.includes('generated Jan 1, 2025, 00:00 UTC') && footer.includes('docs'), footer);
  eq('flat: no preview bar with 60 builds', await page.$$eval('.uent-preview-bar', (e) => e.length), 0);
  eq('flat: coverage stats', await page.$$eval('article[data-view="real"]:first-of-type dd',
    (e) => e.map((x) => x.textContent)), ['78.4%', '62.7%', '78.4%', '69.7%', '↑25.0%']);
  const aria = await page.$eval('#chart-status', (c) => c.getAttribute('aria-label'));
  eq('flat: label chart aria', aria, 'Bar chart showing CI status distribution');
  const types = await page.evaluate(() => unentropyReport.charts().map((e) => e.chart.config.type));
  eq('flat: chart types', types, ['line', 'line', 'line', 'line', 'line', 'bar']);
  const bar = await page.evaluate(() => { const c = unentropyReport.charts()[5].chart; return [c.data.labels, c.data.datasets[0].data]; });
  eq('flat: label counts sorted by label', bar, [['failed', 'flaky', 'passed'], [8, 9, 43]]);

  // Crosshair: hovering one chart shows the same build's tooltip on the others.
  const box = await page.$eval('#chart-coverage', (c) => { const r = c.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
  await page.mouse.move(box.x + box.w * 0.6, box.y + box.h * 0.5);
  await page.waitForTimeout(100);
  const tips = await page.evaluate(() => unentropyReport.charts().filter((e) => e.kind !== 'bar').map((e) => {
    const t = e.chart.tooltip;
    return { id: e.canvas.id, active: t.getActiveElements().length, title: (t.title || []).join(''),
      body: (t.body || []).map((b) => b.lines.join('')).join('|'), cross: e.chart.$uent.cross !== null };
  }));
  const cov = tips.find((t) => t.id === 'chart-coverage');
  check('crosshair: hovered chart shows a tooltip', cov.active > 0 && /^[A-Z][a-z]{2} \d+, 2024$/.test(cov.title), JSON.stringify(cov));
  check('crosshair: tooltip label has value, build and sha',
    /^Test coverage: \d+\.\d%  ?\(Build #\d+, [0-9a-f]{7}\)$/.test(cov.body) || /^Test coverage: \d+\.\d% \(Build #\d+, [0-9a-f]{7}\)$/.test(cov.body), cov.body);
  const synced = tips.filter((t) => t.id !== 'chart-coverage' && t.id !== 'chart-score');
  check('crosshair: the group shows the same build', synced.every((t) => t.active > 0 && t.title === cov.title && t.cross),
    JSON.stringify(tips));
  const loc = tips.find((t) => t.id === 'chart-loc');
  check('crosshair: values unit-formatted', /^Lines of code: [\d,]+ \(Build #\d+, [0-9a-f]{7}\)$/.test(loc.body), loc.body);
  await shot(page, 'flat-hover', false);
  // A build without a value of the sparse metric (build 33: no score).
  await page.$eval('#chart-score', (c) => c.scrollIntoView({ block: 'center' }));
  const px = await page.evaluate(() => {
    const e = unentropyReport.charts().find((x) => x.canvas.id === 'chart-score');
    const r = e.canvas.getBoundingClientRect();
    return { x: r.x + e.chart.scales.x.getPixelForValue(Date.parse('2024-12-03T09:30:00.000Z')), y: r.y + r.height / 2 };
  });
  await page.mouse.move(px.x, px.y);
  await page.waitForTimeout(100);
  const score = await page.evaluate(() => {
    const t = unentropyReport.charts().find((x) => x.canvas.id === 'chart-score').chart.tooltip;
    return { title: (t.title || []).join(''), body: (t.body || []).map((b) => b.lines.join('')).join('|') };
  });
  eq('crosshair: a build without a value says so', score, { title: 'Dec 3, 2024', body: 'No data recorded for this build' });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.mouse.move(5, 5);
  await page.waitForTimeout(50);
  const cleared = await page.evaluate(() => unentropyReport.charts().filter((e) => e.kind !== 'bar')
    .every((e) => e.chart.$uent.cross === null && e.chart.tooltip.getActiveElements().length === 0));
  check('crosshair: leaving clears the group', cleared);

  // Presets.
  const range = () => page.evaluate(() => unentropyReport.charts().filter((e) => e.kind !== 'bar')
    .map((e) => [e.chart.scales.x.min, e.chart.scales.x.max]));
  const last = Date.parse('2024-12-30T09:30:00.000Z');
  await page.click('.uent-chip[data-range="7"]');
  await settle(page);
  const r7 = await range();
  check('preset 7d: every line chart shows [last - 7d, last]', r7.every((r) => r[0] === last - 7 * 86400000 && r[1] === last), JSON.stringify(r7));
  eq('preset 7d: chip pressed', await page.$$eval('.uent-chip[aria-pressed="true"]', (e) => e.map((x) => x.dataset.range)), ['7']);
  await shot(page, 'flat-7d', false);
  await page.click('.uent-chip[data-range="all"]');
  await settle(page);
  const rall = await range();
  check('preset all: full range again', rall.every((r) => r[0] === Date.parse('2024-11-01T09:30:00.000Z') && r[1] === last), JSON.stringify(rall));

  // Custom range: invalid, then valid; an empty range overlays its chart.
  await page.click('#uent-custom-chip');
  check('custom: popover opens', await page.$eval('#uent-custom-pop', (e) => !e.hidden));
  eq('custom: pre-filled with the active range', [await page.inputValue('#uent-from'), await page.inputValue('#uent-to')], ['2024-11-01', '2024-12-30']);
  await page.fill('#uent-from', '2024-12-20');
  await page.fill('#uent-to', '2024-12-10');
  check('custom: From after To shows the error', await page.$eval('#uent-range-error', (e) => !e.hidden && e.textContent ===
    'Invalid date range: "From" date must be before or equal to "To" date.'));
  await page.fill('#uent-from', '2024-12-25');
  await page.fill('#uent-to', '2024-12-27');
  await settle(page);
  eq('custom: chip label', await text(page, '#uent-custom-chip'), '2024-12-25 – 2024-12-27');
  const rc = await range();
  check('custom: range is local-day bounded', rc.every((r) => r[0] === Date.parse('2024-12-25T00:00:00.000Z') && r[1] === Date.parse('2024-12-27T23:59:59.999Z')), JSON.stringify(rc));
  const overlays = await page.$$eval('[data-overlay="range"]', (e) => e.filter((x) => !x.hidden).map((x) => x.parentNode.querySelector('canvas').id));
  eq('custom: empty range overlay on the sparse chart only', overlays, ['chart-score']);
  await page.keyboard.press('Escape');
  check('custom: Escape closes the popover', await page.$eval('#uent-custom-pop', (e) => e.hidden));
  await page.click('#uent-custom-chip');
  await page.click('#uent-clear');
  await settle(page);
  eq('custom: clear relabels the chip', await text(page, '#uent-custom-chip'), 'Custom');
  eq('custom: clear returns to all', await page.$$eval('.uent-chip[aria-pressed="true"]', (e) => e.map((x) => x.dataset.range)), ['all']);

  // Drag to zoom, then reset.
  const b2 = await page.$eval('#chart-loc', (c) => { const r = c.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
  check('zoom: reset hidden before zooming', await page.$eval('[data-reset="page"]', (e) => e.hidden));
  await page.mouse.move(b2.x + b2.w * 0.35, b2.y + b2.h * 0.5);
  await page.mouse.down();
  await page.mouse.move(b2.x + b2.w * 0.5, b2.y + b2.h * 0.5, { steps: 4 });
  await page.mouse.move(b2.x + b2.w * 0.65, b2.y + b2.h * 0.5, { steps: 4 });
  await page.mouse.up();
  await settle(page);
  const rz = await range();
  check('zoom: the whole group zoomed to the same range', rz.every((r) => r[0] === rz[0][0] && r[1] === rz[0][1]) &&
    rz[0][0] > Date.parse('2024-11-05') && rz[0][1] < Date.parse('2024-12-28'), JSON.stringify(rz));
  check('zoom: reset shown', await page.$eval('[data-reset="page"]', (e) => !e.hidden));
  await shot(page, 'flat-zoomed', false);
  await page.click('[data-reset="page"]');
  await settle(page);
  const rr = await range();
  check('zoom: reset restores the range filter', rr.every((r) => r[0] === Date.parse('2024-11-01T09:30:00.000Z') && r[1] === last), JSON.stringify(rr));
  check('zoom: reset hidden again', await page.$eval('[data-reset="page"]', (e) => e.hidden));

  // Theme toggle: system -> light -> dark -> system.
  // The colour the points were last drawn with (element options, not just the dataset's).
  const accent = () => page.evaluate(() => {
    const c = unentropyReport.charts()[0].chart, m = c.getDatasetMeta(0);
    const seen = [c.data.datasets[0].borderColor, m.dataset.options.borderColor, m.data[0].options.backgroundColor];
    return seen.every((x) => x === seen[0]) ? seen[0] : seen.join(' ');
  });
  const state = () => page.evaluate(() => [document.documentElement.getAttribute('data-theme'),
    localStorage.getItem('unentropy-theme'), document.getElementById('uent-theme-toggle').textContent]);
  eq('theme: starts at system (dark scheme)', [await state(), await accent()], [[null, null, 'system'], '#5b9cf5']);
  await page.click('#uent-theme-toggle');
  await settle(page);
  eq('theme: light', [await state(), await accent()], [['light', 'light', 'light'], '#2563c9']);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  eq('theme: light background', bg, 'rgb(246, 248, 250)');
  await shot(page, 'flat-light-toggle', false);
  await page.click('#uent-theme-toggle');
  await settle(page);
  eq('theme: dark', [await state(), await accent()], [['dark', 'dark', 'dark'], '#5b9cf5']);
  await page.reload();
  await settle(page);
  eq('theme: the choice survives a reload', await state(), ['dark', 'dark', 'dark']);
  await page.click('#uent-theme-toggle');
  eq('theme: back to system', await state(), [null, null, 'system']);

  // Export equals `report --format csv|json`.
  for (const kind of ['csv', 'json']) {
    await page.click('#uent-export');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-export="${kind}"]`)]);
    eq('export ' + kind + ': file name', dl.suggestedFilename(), 'widgets-metrics.' + kind);
    const got = fs.readFileSync(await dl.path(), 'utf8');
    const want = fs.readFileSync(path.join(TMP, 'export', 'data.' + kind), 'utf8');
    check('export ' + kind + ': same bytes as report --format ' + kind, got === want,
      'browser: ' + got.slice(0, 300) + '\ncli:     ' + want.slice(0, 300));
  }

  // formatValue against lua/unentropy/format.lua.
  const mismatches = await page.evaluate((cases) => cases.filter(([v, u, s]) => unentropyReport.formatValue(v, u) !== s)
    .slice(0, 10).map(([v, u, s]) => [v, u, s, unentropyReport.formatValue(v, u)]), FORMAT_CASES);
  eq(`format: browser strings equal format.lua on ${FORMAT_CASES.length} cases`, mismatches, []);
  clean('flat', log);
  await page.close();
}

// ---- screenshots of every theme, light and dark ----------------------------------
for (const t of THEMES) {
  for (const scheme of ['light', 'dark']) {
    const { page, log } = await open(path.join(TMP, 'theme-' + t), { scheme });
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    check(`theme ${t} ${scheme}: background follows the scheme`, scheme === 'light' ? bg !== 'rgb(15, 20, 25)' && /rgb\(2[2-5]\d/.test(bg) : /rgb\(\d{1,2},/.test(bg), bg);
    await shot(page, `theme-${t}-${scheme}`, false);
    clean(`theme ${t} ${scheme}`, log);
    await page.close();
  }
}

// ---- sectioned ----------------------------------------------------------------------
{
  const { page, log } = await open(R.sectioned);
  const cs = await canvases(page);
  eq('sectioned: canvas ids', cs.map((c) => c.id), ['chart-coverage-score', 'chart-status', 'chart-loc', 'chart-bundle-build-time']);
  eq('sectioned: every chart drew', cs.filter((c) => c.painted < 2000).map((c) => c.id), []);
  eq('sectioned: headings', await page.$$eval('.uent-section h2', (e) => e.map((x) => x.textContent)), ['▾ Quality', '▾ Size & speed', '▾ Empty']);
  eq('sectioned: section description', await text(page, '.uent-section-desc'), '// coverage and score over time');
  eq('sectioned: empty section', await text(page, '[data-group="section-3"] .uent-none'), 'No metrics configured');
  const axes = await page.evaluate(() => unentropyReport.charts().filter((e) => e.kind === 'multi').map((e) => {
    const s = e.chart.options.scales;
    return Object.keys(s).filter((k) => k !== 'x').map((k) => [k, s[k].position, s[k].title.text]);
  }));
  eq('sectioned: an axis per unit when units differ', axes, [[['y', 'left', 'Test coverage'], ['y1', 'right', 'Quality score']],
    [['y', 'left', 'Bundle size'], ['y1', 'right', 'Build time']]]);
  const legend = await page.evaluate(() => unentropyReport.charts()[0].chart.options.plugins.legend);
  eq('sectioned: multi legend', [legend.display, legend.position, legend.labels.boxWidth, legend.labels.boxHeight], [true, 'top', 20, 3]);
  // Zoom in one section leaves the other alone.
  const b = await page.$eval('#chart-loc', (c) => { const r = c.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
  await page.mouse.move(b.x + b.w * 0.3, b.y + b.h * 0.5);
  await page.mouse.down();
  await page.mouse.move(b.x + b.w * 0.7, b.y + b.h * 0.5, { steps: 6 });
  await page.mouse.up();
  await settle(page);
  const ranges = await page.evaluate(() => unentropyReport.charts().filter((e) => e.kind !== 'bar').map((e) => [e.canvas.id, e.chart.scales.x.min]));
  check('sectioned: zoom stays in its section', ranges[0][1] === Date.parse('2024-11-01T09:30:00.000Z') && ranges[1][1] > ranges[0][1] && ranges[1][1] === ranges[2][1], JSON.stringify(ranges));
  eq('sectioned: reset shown only for that section', await page.$$eval('[data-reset]', (e) => e.map((x) => [x.dataset.reset, x.hidden])),
    [['section-1', true], ['section-2', false], ['section-3', true]]);
  await page.click('[data-reset="section-2"]');
  await settle(page);
  await shot(page, 'sectioned');
  clean('sectioned', log);
  await page.close();
}

// ---- locked dark ------------------------------------------------------------------------
{
  const { page, log } = await open(R.dark, { scheme: 'light' });
  await page.evaluate(() => localStorage.setItem('unentropy-theme', 'light'));
  await page.reload();
  await settle(page);
  eq('dark: locked data-theme wins over scheme and storage', await page.evaluate(() => document.documentElement.getAttribute('data-theme')), 'dark');
  eq('dark: no theme toggle', await page.$$eval('#uent-theme-toggle', (e) => e.length), 0);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  eq('dark: flux dark background', bg, 'rgb(20, 17, 13)');
  const cs = await canvases(page);
  eq('dark: every chart drew', cs.filter((c) => c.painted < 2000).map((c) => c.id), []);
  await shot(page, 'dark');
  await page.evaluate(() => localStorage.removeItem('unentropy-theme'));
  clean('dark', log);
  await page.close();
}

// ---- sparse (<10 builds): preview switch ---------------------------------------------------
{
  const { page, log } = await open(R.sparse);
  eq('sparse: preview bar text', await text(page, '.uent-preview-text'), 'Limited data available. Preview data is displayed to help visualize trends.');
  eq('sparse: switch on by default', await page.$eval('#uent-preview-switch', (e) => [e.getAttribute('role'), e.getAttribute('aria-checked')]), ['switch', 'true']);
  const vis = () => page.evaluate(() => ({
    real: Array.from(document.querySelectorAll('article[data-view="real"]')).every((e) => e.hidden && e.getAttribute('aria-hidden') === 'true'),
    preview: Array.from(document.querySelectorAll('article[data-view="preview"]')).every((e) => !e.hidden),
  }));
  eq('sparse: preview cards shown, real hidden', await vis(), { real: true, preview: true });
  const cs = await canvases(page);
  eq('sparse: preview canvases drew', cs.filter((c) => c.visible && c.painted < 2000).map((c) => c.id), []);
  check('sparse: preview canvas ids end in -preview', cs.filter((c) => c.visible).every((c) => c.id.endsWith('-preview')), JSON.stringify(cs.map((c) => c.id)));
  await shot(page, 'sparse-preview');
  await page.click('#uent-preview-switch');
  await settle(page);
  const after = await page.evaluate(() => ({
    real: Array.from(document.querySelectorAll('article[data-view="real"]')).every((e) => !e.hidden && e.getAttribute('aria-hidden') === 'false'),
    preview: Array.from(document.querySelectorAll('article[data-view="preview"]')).every((e) => e.hidden),
  }));
  eq('sparse: switch off shows the real cards', after, { real: true, preview: true });
  const cs2 = await canvases(page);
  eq('sparse: real canvases drew after the switch', cs2.filter((c) => c.visible && c.painted < 2000).map((c) => c.id), []);
  await shot(page, 'sparse-real');
  clean('sparse', log);
  await page.close();
}

// ---- synthetic preview -------------------------------------------------------------------------
{
  const { page, log } = await open(R.preview);
  eq('preview: repository', await page.title(), 'Unentropy Metrics Report - preview/repository');
  eq('preview: 0 builds', await text(page, '.uent-count'), '0 builds');
  const cs = await canvases(page);
  eq('preview: charts drew', cs.filter((c) => c.visible && c.painted < 2000).map((c) => c.id), []);
  await shot(page, 'synthetic-preview');
  await page.click('#uent-preview-switch');
  await settle(page);
  check('preview: empty state when switched off', await page.$eval('.uent-empty', (e) => !e.hidden));
  eq('preview: cards say no data', await page.$$eval('article[data-view="real"] [data-overlay="nodata"]', (e) => e.every((x) => !x.hidden && x.textContent === 'No data recorded yet')), true);
  await shot(page, 'empty-state');
  clean('preview', log);
  await page.close();
}

// ---- XSS fixture ---------------------------------------------------------------------------------
{
  const { page, log } = await open(R.xss);
  await page.click('#uent-preview-switch');
  await settle(page);
  const box = await page.$eval('#chart-evil', (c) => { const r = c.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
  await page.mouse.move(box.x + box.w / 2, box.y + box.h / 2);
  await page.waitForTimeout(100);
  const state = await page.evaluate(() => ({
    xss: typeof window.__xss,
    imgs: document.querySelectorAll('img').length,
    scripts: document.scripts.length,
    title: document.title,
    h3: Array.from(document.querySelectorAll('article[data-view="real"] h3')).map((e) => e.textContent),
  }));
  eq('xss: payloads stay inert', [state.xss, state.imgs, state.scripts], ['undefined', 0, 4]);
  eq('xss: names render as text', state.h3, ['"><img src=x onerror=window.__xss=1>', '</script><script>window.__xss=1</script>',
    '"><img src=x onerror=window.__xss=1>']);
  check('xss: repository in the title as text', state.title.includes('</script><script>window.__xss=1</script>/'), state.title);
  await shot(page, 'xss');
  clean('xss', log);
  await page.close();
}

// ---- large series (decimation) -----------------------------------------------------------------
{
  const { page, log } = await open(R.large);
  const info = await page.evaluate(() => unentropyReport.charts().map((e) => ({
    id: e.canvas.id, decimation: e.chart.options.plugins.decimation.enabled, animation: e.chart.options.animation,
    full: e.chart.data.datasets[0]._data ? e.chart.data.datasets[0]._data.length : e.chart.data.datasets[0].data.length,
    drawn: e.chart.getDatasetMeta(0).data.length,
  })));
  check('large: LTTB decimation on, no animation, full data kept', info.every((c) => c.decimation && c.animation === false &&
    c.full === 3000 && c.drawn < 3000), JSON.stringify(info));
  const cs = await canvases(page);
  eq('large: charts drew', cs.filter((c) => c.painted < 2000).map((c) => c.id), []);
  const box = await page.$eval('#chart-metric-1', (c) => { const r = c.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
  await page.mouse.move(box.x + box.w * 0.5, box.y + box.h * 0.5);
  await page.waitForTimeout(100);
  const tip = await page.evaluate(() => { const t = unentropyReport.charts()[0].chart.tooltip; return (t.body || []).map((b) => b.lines.join('')).join('|'); });
  check('large: tooltip reads the full data', /^metric-1: [\d,]+ \(Build #\d+, [0-9a-f]{7}\)$/.test(tip), tip);
  await shot(page, 'large', false);
  clean('large', log);
  await page.close();
}

if (R.big) {
  const t0 = Date.now();
  const { page, log } = await open(R.big);
  const ms = Date.now() - t0;
  console.log(`big: 10,000 builds x 50 metrics loaded and drawn in ${ms} ms`);
  check('big: drawn within 5 s', ms < 5000, ms + ' ms');
  clean('big', log);
  await page.close();
}

eq('no request left the machine', remote, []);
await context.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
