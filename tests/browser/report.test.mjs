// The HTML report in a real browser: Debian's chromium, driven by playwright-core (no browser
// download). Run by cli/tests/browser.rs (from scripts/test, which installs both); by hand:
//
//   IAMSIGHT_BIN=target/debug/iamsight node --test tests/browser/report.test.mjs
//
// It generates the demo report with the built binary, opens it from file://, and checks what a
// user sees: no console errors, no request at all besides the file, filters that change the
// visible findings as the JSON report says they should (severity, status, benchmark, tags, the
// quick filters, search), the finding details, the IAM insights graph, and that 100,000
// findings open quickly with only a screenful of rows in the DOM.
// Screenshots are written to target/ as test artifacts.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(repo, 'tools', 'validators', 'package.json'));
const { chromium } = require('playwright-core');

const bin = process.env.IAMSIGHT_BIN || path.join(repo, 'target', 'debug', 'iamsight');
const chromiumPath = process.env.IAMSIGHT_CHROMIUM || '/usr/bin/chromium';
const artifacts = path.join(repo, 'target');

let tmp;
let context;
let reportJson;
let reportHtml;
// The demo with suppressions (the demo account itself has none) and --show-suppressed.
let suppressedJson;
let suppressedHtml;

before(async () => {
  assert.ok(fs.existsSync(bin), `no iamsight binary at ${bin}: build it (scripts/test does)`);
  assert.ok(fs.existsSync(chromiumPath), `no chromium at ${chromiumPath}: scripts/test installs Debian's chromium`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'iamsight-browser-'));
  const html = path.join(tmp, 'report.html');
  const json = path.join(tmp, 'report.json');
  execFileSync(bin, ['scan', '--demo', '--output', `html=${html}`, '--output', `json=${json}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  reportJson = JSON.parse(fs.readFileSync(json, 'utf8'));
  reportHtml = html;
  const config = path.join(tmp, 'iamsight.toml');
  fs.writeFileSync(config, [
    '[[suppressions]]', 'check = "resource-missing-required-tags"', 'reason = "tagging is tracked elsewhere"',
    '[[suppressions]]', 'check = "security-group-open-to-world-ssh"',
    'resource = "arn:aws:ec2:us-east-1:111122223333:security-group/sg-0c2f8955bd4e51471"', 'reason = "bastion, reviewed"',
  ].join('\n') + '\n');
  suppressedHtml = path.join(tmp, 'suppressed.html');
  const suppressed = path.join(tmp, 'suppressed.json');
  execFileSync(bin, ['scan', '--demo', '--config', config, '--show-suppressed', '--output', `html=${suppressedHtml}`, '--output', `json=${suppressed}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  suppressedJson = JSON.parse(fs.readFileSync(suppressed, 'utf8'));
  fs.mkdirSync(artifacts, { recursive: true });
  context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
});

after(async () => {
  if (context) await context.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Opens a file and records every console error, page error, and request. */
async function open(file) {
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('request', (r) => requests.push(r.url()));
  const url = pathToFileURL(file).href;
  const started = Date.now();
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
  return { page, problems, requests, url, loadMs: Date.now() - started };
}

const countShown = (page) => page.getAttribute('[data-testid="result-count"]', 'data-count').then(Number);
/** Waits until the count line says `n` (filters apply synchronously; search is debounced). */
const countIs = (page, n) => page.waitForFunction((m) => Number(document.querySelector('[data-testid="result-count"]').dataset.count) === m, n, { timeout: 5_000 });

/**
 * Every finding id the list shows for the current filters, in list order: the list draws only
 * the rows on screen, so it is scrolled through a screenful at a time.
 */
async function listedIds(page) {
  const ids = [];
  const seen = new Set();
  for (let i = 0; ; i++) {
    const { rows, more } = await page.$eval('[data-testid="findings-list"]', async (list, step) => {
      list.scrollTop = step * list.clientHeight;
      // The list redraws on the next animation frame after a scroll.
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const rows = Array.from(list.querySelectorAll('[data-testid="finding-row"]'))
        .map((r) => ({ id: r.getAttribute('data-id'), top: parseFloat(r.style.top) }))
        .sort((a, b) => a.top - b.top)
        .map((r) => r.id);
      return { rows, more: list.scrollTop + list.clientHeight < list.scrollHeight - 1 };
    }, i);
    rows.forEach((id) => { if (!seen.has(id)) { seen.add(id); ids.push(id); } });
    if (!more) break;
  }
  await page.$eval('[data-testid="findings-list"]', (l) => { l.scrollTop = 0; });
  return ids;
}

const SEV_RANK = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

/**
 * The page shows exactly `expected` (findings of the report): the count line, and every row of
 * the list in the page's default order (most severe first, then as in the report). Fails on an
 * empty expectation, which would prove nothing.
 */
async function assertShows(page, expected, what) {
  assert.ok(expected.length > 0, `${what}: the demo report has findings for it`);
  await countIs(page, expected.length).catch(() => {});
  assert.equal(await countShown(page), expected.length, `${what}: the count`);
  const order = expected.map((f, i) => [f, i]).sort((a, b) => SEV_RANK[a[0].severity] - SEV_RANK[b[0].severity] || a[1] - b[1]);
  assert.deepEqual(await listedIds(page), order.map(([f]) => f.id), `${what}: the rows`);
}

/** The filters the page keeps in its URL. */
const hashParams = (page) => new URLSearchParams(new URL(page.url()).hash.slice(1));

/** Adds a tag filter the way a user does: type it, press Enter. */
async function addTag(page, tag) {
  await page.fill('[aria-label="Filter by tag"]', tag);
  await page.press('[aria-label="Filter by tag"]', 'Enter');
}

/** The benchmarks a finding's check maps to (the part of each control before the colon). */
function benchmarksOf(report, finding) {
  const check = report.checks.find((c) => c.id === finding.check_id);
  return new Set((check.compliance || []).map((c) => c.split(':')[0].trim()));
}

const rowAttrs = (page, attr) => page.$$eval('[data-testid="finding-row"]', (rows, a) => rows.map((r) => r.getAttribute(a)), attr);

test('the demo report loads offline, filters by severity, and shows a finding', async () => {
  const { page, problems, requests, url } = await open(reportHtml);
  const findings = reportJson.findings;
  const openFindings = findings.filter((f) => f.status === 'open');

  assert.equal(await countShown(page), openFindings.length, 'open findings are shown by default');
  const firstRows = await rowAttrs(page, 'data-status');
  assert.ok(firstRows.length > 0 && firstRows.length < openFindings.length + 1);

  // severity = critical
  await page.click('[data-testid="filter-severity-critical"]');
  const critical = openFindings.filter((f) => f.severity === 'critical');
  assert.ok(critical.length > 0, 'the demo has critical findings');
  assert.equal(await countShown(page), critical.length);
  const severities = await rowAttrs(page, 'data-severity');
  assert.equal(severities.length, Math.min(critical.length, severities.length));
  assert.ok(severities.length > 0 && severities.every((s) => s === 'critical'), severities.join(','));
  assert.deepEqual(
    new Set(await rowAttrs(page, 'data-id')),
    new Set(critical.map((f) => f.id).slice(0, severities.length)),
    'the rows are the critical findings, most severe first as in the report',
  );

  // the first critical finding's details: evidence, remediation and references from `checks`
  const first = critical[0];
  const check = reportJson.checks.find((c) => c.id === first.check_id);
  await page.click(`[data-testid="finding-row"][data-id="${first.id}"]`);
  const detail = await page.textContent('[data-testid="detail"]');
  assert.ok(detail.includes(first.message), detail);
  assert.ok(detail.includes(first.evidence[0].text), 'evidence is shown');
  assert.ok(detail.includes(check.remediation), 'remediation is shown');
  for (const r of check.references) assert.ok(detail.includes(r), `reference ${r}`);

  // severity off again, quick filter "Unused" on
  await page.click('[data-testid="filter-severity-critical"]');
  await page.click('[data-quick="unused"]');
  assert.equal(await countShown(page), openFindings.filter((f) => f.category === 'unused').length);
  await page.click('[data-quick="unused"]');

  // text search
  await page.fill('[data-testid="search"]', 'acme-ec2-admin');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="result-count"]').dataset.count) !== n, openFindings.length);
  const bySearch = openFindings.filter((f) => JSON.stringify(f).includes('acme-ec2-admin')).length;
  assert.equal(await countShown(page), bySearch);
  await page.fill('[data-testid="search"]', '');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="result-count"]').dataset.count) === n, openFindings.length);
  await page.click(`[data-testid="finding-row"][data-id="${critical[0].id}"]`);
  await page.screenshot({ path: path.join(artifacts, 'report-screenshot.png') });

  // IAM insights: one graph edge per distinct escalation step, one path per finding
  await page.click('[data-view="iam"].tab');
  const escalations = findings.filter((f) => f.check === 'principal-can-escalate-to-admin');
  const steps = new Set(escalations.flatMap((f) => f.evidence.filter((e) => e.kind === 'path-step').map((e) => e.text.split(' (')[0])));
  const edges = await page.$$eval('[data-testid="escalation-graph"] g.edge:not(.admin)', (es) => es.length);
  assert.ok(steps.size > 0, 'the demo has escalation steps to draw');
  assert.equal(edges, steps.size);
  assert.equal(await page.$$eval('.paths > li', (ls) => ls.length), escalations.length);
  const unusedRows = await page.$$eval('[data-testid="unused-permissions"] tbody tr', (rs) => rs.length);
  assert.equal(unusedRows, findings.filter((f) => f.check === 'unused-permissions').length);
  // each principal's suggested policy, as the report model has it
  const suggestion = reportJson.suggestions[0];
  assert.ok(suggestion, 'the HTML report carries suggestions');
  const row = page.locator('[data-testid="unused-permissions"] tbody tr', { hasText: suggestion.principal });
  await row.locator('td:last-child summary').click();
  // The documents are drawn on the `toggle` event, which fires after the click returns.
  const pres = row.locator('[data-testid="suggested-policy"] pre');
  await pres.nth(suggestion.policies.length - 1).waitFor();
  const shown = await pres.allTextContents();
  assert.deepEqual(shown.map((t) => JSON.parse(t)), suggestion.policies.map((p) => p.document));
  await page.screenshot({ path: path.join(artifacts, 'report-screenshot-iam.png'), fullPage: true });

  assert.deepEqual(problems, []);
  assert.deepEqual(requests.filter((r) => r !== url), [], 'the page requests nothing but itself');
  await page.close();
});

test('the quick filters show the findings the report puts in their category', async () => {
  const { page, problems } = await open(reportHtml);
  const openFindings = reportJson.findings.filter((f) => f.status === 'open');
  const quick = {
    // Public exposure, and the checks that report a resource open to the whole internet (security
    // groups open to the world, an internet-exposed instance).
    public: openFindings.filter((f) => f.category === 'public-exposure' || /open-to-world|internet-exposed/.test(f.check)),
    unencrypted: openFindings.filter((f) => f.category === 'encryption'),
    escalation: openFindings.filter((f) => f.category === 'privilege-escalation'),
  };
  // Not vacuous: the demo has open security groups besides the public-exposure category.
  assert.ok(quick.public.some((f) => f.category === 'network'), 'security groups open to the world are publicly accessible');
  for (const [id, expected] of Object.entries(quick)) {
    const chip = `[data-quick="${id}"]`;
    assert.equal(Number(await page.textContent(`${chip} .c`)), expected.length, `${id}: the chip's count`);
    await page.click(chip);
    assert.equal(await page.getAttribute(chip, 'aria-pressed'), 'true');
    assert.deepEqual(hashParams(page).getAll('quick'), [id], page.url());
    await assertShows(page, expected, `quick filter ${id}`);
    await page.click(chip);
    await assertShows(page, openFindings, `quick filter ${id} off again`);
  }
  // A quick filter narrows the other filters' result: privilege escalation and critical.
  await page.click('[data-quick="escalation"]');
  await page.click('[data-testid="filter-severity-critical"]');
  await assertShows(page, quick.escalation.filter((f) => f.severity === 'critical'), 'privilege escalation, critical');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the benchmark filter shows the findings of the checks mapped to that benchmark', async () => {
  const { page, problems } = await open(reportHtml);
  const openFindings = reportJson.findings.filter((f) => f.status === 'open');
  const benchmarks = [...new Set(reportJson.checks.flatMap((c) => c.compliance.map((x) => x.split(':')[0].trim())))].sort();
  assert.ok(benchmarks.includes('CIS AWS Foundations 3.0'), benchmarks.join(', '));
  for (const b of benchmarks) {
    const box = `[data-testid="filter-benchmark-${b}"]`;
    const expected = openFindings.filter((f) => benchmarksOf(reportJson, f).has(b));
    await page.check(box);
    await assertShows(page, expected, `benchmark ${b}`);
    // Not every finding: the filter does filter.
    assert.ok(expected.length < openFindings.length, `benchmark ${b} leaves some findings out`);
    await page.uncheck(box);
  }
  // Two benchmarks: the findings of either.
  for (const b of benchmarks) await page.check(`[data-testid="filter-benchmark-${b}"]`);
  await assertShows(page, openFindings.filter((f) => benchmarks.some((b) => benchmarksOf(reportJson, f).has(b))), 'every benchmark');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the tag filter matches key=value, a key, and a missing key, all of them at once', async () => {
  const { page, problems } = await open(reportHtml);
  const openFindings = reportJson.findings.filter((f) => f.status === 'open');
  const tags = (f) => f.tags || {};
  const has = (f, k) => Object.prototype.hasOwnProperty.call(tags(f), k);
  const cases = [
    ['owner=platform-team', (f) => tags(f).owner === 'platform-team'],
    ['owner', (f) => has(f, 'owner')],
    ['!owner', (f) => !has(f, 'owner')],
  ];
  for (const [tag, keep] of cases) {
    await addTag(page, tag);
    await assertShows(page, openFindings.filter(keep), `tag ${tag}`);
    assert.deepEqual(hashParams(page).getAll('tag'), [tag], page.url());
    await page.click(`[aria-label="Remove tag ${tag}"]`);
    await assertShows(page, openFindings, `tag ${tag} removed`);
  }
  // Several tags: every one must match.
  await addTag(page, 'owner');
  await addTag(page, 'Name');
  const both = openFindings.filter((f) => has(f, 'owner') && has(f, 'Name'));
  assert.ok(both.length < openFindings.filter((f) => has(f, 'owner')).length, 'the second tag narrows the first');
  await assertShows(page, both, 'tags owner and Name');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the status filter shows open, suppressed, or every finding', async () => {
  const { page, problems } = await open(suppressedHtml);
  const findings = suppressedJson.findings;
  const openFindings = findings.filter((f) => f.status === 'open');
  const suppressed = findings.filter((f) => f.status === 'suppressed');
  assert.ok(openFindings.length > 0 && suppressed.length > 0, 'the report has both');
  await assertShows(page, openFindings, 'status open (the default)');
  assert.ok(await page.isChecked('[data-testid="filter-status-open"]'));
  await page.check('[data-testid="filter-status-suppressed"]');
  await assertShows(page, findings, 'status open or suppressed');
  await page.uncheck('[data-testid="filter-status-open"]');
  await assertShows(page, suppressed, 'status suppressed');
  assert.deepEqual([...new Set(await rowAttrs(page, 'data-status'))], ['suppressed']);
  // Neither box: no status filter, every finding.
  await page.uncheck('[data-testid="filter-status-suppressed"]');
  await assertShows(page, findings, 'no status filter');
  // The same view after a reload (the URL keeps "no status filter").
  await page.reload();
  await page.waitForSelector('html[data-ready="true"]');
  await assertShows(page, findings, 'no status filter, reloaded');
  assert.ok(!(await page.isChecked('[data-testid="filter-status-open"]')));
  // The summary's "suppressed" card is a shortcut to the suppressed findings.
  await page.click('.summary .card:has-text("suppressed")');
  await assertShows(page, suppressed, 'the suppressed card');
  assert.deepEqual(problems, []);
  await page.close();
});

test('quick, benchmark and tag filters are in the URL and survive a reload', async () => {
  const { page, problems } = await open(reportHtml);
  await page.click('[data-quick="public"]');
  await page.check('[data-testid="filter-benchmark-CIS AWS Foundations 3.0"]');
  await addTag(page, 'Name');
  const openFindings = reportJson.findings.filter((f) => f.status === 'open');
  const expected = openFindings.filter((f) => (f.category === 'public-exposure' || /open-to-world|internet-exposed/.test(f.check))
    && benchmarksOf(reportJson, f).has('CIS AWS Foundations 3.0') && Object.prototype.hasOwnProperty.call(f.tags || {}, 'Name'));
  await assertShows(page, expected, 'public, CIS, tag Name');
  await page.reload();
  await page.waitForSelector('html[data-ready="true"]');
  await assertShows(page, expected, 'public, CIS, tag Name, reloaded');
  assert.equal(await page.getAttribute('[data-quick="public"]', 'aria-pressed'), 'true');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the filtered view is in the URL and survives a reload', async () => {
  const { page, problems } = await open(reportHtml);
  await page.click('[data-testid="filter-severity-high"]');
  const n = await countShown(page);
  assert.ok(page.url().includes('severity=high'), page.url());
  await page.reload();
  await page.waitForSelector('html[data-ready="true"]');
  assert.equal(await countShown(page), n);
  assert.ok(await page.isChecked('[data-testid="filter-severity-high"]'));
  assert.deepEqual(problems, []);
  await page.close();
});

test('100,000 findings open quickly with only a screenful of rows in the DOM', async () => {
  // The demo report, its findings repeated to 100,000 (unique ids), embedded the way
  // iamsight embeds it.
  const big = structuredClone(reportJson);
  const base = reportJson.findings;
  big.findings = Array.from({ length: 100_000 }, (_, i) => ({ ...base[i % base.length], id: `${base[i % base.length].id}-${i}` }));
  const html = fs.readFileSync(reportHtml, 'utf8');
  const tag = '<script type="application/json" id="iamsight-report">';
  const start = html.indexOf(tag) + tag.length;
  const end = html.indexOf('</script>', start);
  const file = path.join(tmp, 'big.html');
  fs.writeFileSync(file, html.slice(0, start) + JSON.stringify(big).replace(/</g, '\\u003c') + html.slice(end));

  const { page, problems, loadMs } = await open(file);
  const openCount = big.findings.filter((f) => f.status === 'open').length;
  assert.equal(await countShown(page), openCount);
  const rows = await page.$$eval('[data-testid="finding-row"]', (r) => r.length);
  assert.ok(rows > 0 && rows < 100, `${rows} rows in the DOM`);
  // Times are reported, not asserted (they depend on the machine); what must hold is that
  // only a screenful of rows is in the DOM.

  const t0 = Date.now();
  await page.click('[data-testid="filter-severity-critical"]');
  const critical = big.findings.filter((f) => f.status === 'open' && f.severity === 'critical').length;
  assert.equal(await countShown(page), critical);
  const filterMs = Date.now() - t0;

  // scrolled to the end, the last rows are drawn and the DOM is still small
  await page.$eval('[data-testid="findings-list"]', (l) => { l.scrollTop = l.scrollHeight; });
  await page.waitForTimeout(100);
  const ids = await rowAttrs(page, 'data-id');
  assert.ok(ids.length < 100);
  const lastCritical = big.findings.filter((f) => f.status === 'open' && f.severity === 'critical').at(-1);
  assert.ok(ids.includes(lastCritical.id), 'the last finding is reachable by scrolling');
  assert.deepEqual(problems, []);
  console.log(`# 100,000 findings: loaded in ${loadMs} ms, filtered in ${filterMs} ms, ${rows} rows in the DOM`);
  await page.close();
});
