// Browser tests: a real headless Chromium drives a real Bridgeway demo server.
// Usage: node tests/browser/run.mjs path/to/bridgeway
// Prints "N passed, N failed" and exits non-zero on any failure.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const binary = process.argv[2] ?? 'target/debug/bridgeway';
const artifacts = join(here, 'artifacts');
const PASSWORD = 'bridgeway-demo-2026';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url, server) {
  for (let i = 0; i < 300; i++) {
    if (server.exitCode !== null) throw new Error(`bridgeway exited with ${server.exitCode}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch { /* not listening yet */ }
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error('bridgeway did not become ready within 60 s');
}

/** Runs axe-core on the page and fails on any WCAG 2.1 A/AA violation. */
async function expectAccessible(page, what) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  if (result.violations.length > 0) {
    const lines = result.violations.map(v => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')}`);
    throw new Error(`${what} has accessibility violations:\n  ${lines.join('\n  ')}`);
  }
}

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

async function signIn(page, url, username, home = '/work') {
  await page.goto(`${url}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('I have read the notice').check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The second step: a demo database shows the authenticator's current code.
  await page.waitForURL(`${url}/mfa`);
  const code = await page.locator('#demo-code').innerText();
  await page.getByLabel('Authenticator code').fill(code);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${url}${home}`);
}

const tests = [
  ['the sign-in page is accessible and shows the CJIS notice', async ({ page, url }) => {
    await page.goto(`${url}/login`);
    expect(await page.getByText('Restricted system').isVisible(), 'the notice is shown');
    await expectAccessible(page, 'the sign-in page');
  }],
  ['the second sign-in step is accessible', async ({ page, url }) => {
    await page.goto(`${url}/login`);
    await page.getByLabel('Username').fill('pnguyen');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('I have read the notice').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${url}/mfa`);
    await expectAccessible(page, 'the authenticator code page');
  }],
  ['a wrong password is refused with a message', async ({ page, url }) => {
    await page.goto(`${url}/login`);
    await page.getByLabel('Username').fill('officer');
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByLabel('I have read the notice').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').innerText().then(t => t.includes('not right')), 'an error is announced');
  }],
  ['an officer takes in a referral and finds the participant in the caseload', async ({ page, url }) => {
    await signIn(page, url, 'officer');
    await expectAccessible(page, 'the work queue');
    await page.getByRole('link', { name: 'Calendar' }).click();
    await expectAccessible(page, 'the calendar');
    await page.getByRole('link', { name: 'Month', exact: true }).click();
    expect(await page.locator('table.month caption').isVisible(), 'the month view is a grid');
    await expectAccessible(page, "the calendar's month");
    await page.getByRole('link', { name: 'Caseload' }).click();
    await expectAccessible(page, 'the caseload');
    await page.getByRole('link', { name: 'Intake' }).click();
    await expectAccessible(page, 'the intake form');
    await page.getByLabel('First name', { exact: true }).fill('Wilhelmina');
    await page.getByLabel('Last name', { exact: true }).fill('Zabriskie');
    await page.getByLabel('Date of birth', { exact: true }).fill('1992-03-14');
    await page.getByLabel('Program').selectOption({ label: 'Pretrial Supervision' });
    await page.getByLabel('Referred by').fill('Superior Court');
    await page.locator('#charges-0--statute_code').fill('PC 484');
    await page.locator('#charges-0--description').fill('Petty theft');
    await page.locator('#charges-0--level').selectOption('misdemeanor');
    await page.getByRole('button', { name: 'Save referral and screen' }).click();
    await page.waitForURL(/\/cases\//);
    expect(await page.getByText('Eligible:').isVisible(), 'the screening result is shown');
    await expectAccessible(page, 'the case page');

    // Enrol, then start supervision, from the case page's menu of rarer actions.
    const moreActions = page.getByText('More actions: status, details and reassignment, sharing');
    for (const status of ['Enrolled', 'Active']) {
      await moreActions.click();
      const form = page.getByRole('form', { name: `Mark ${status}` });
      await form.getByLabel('Reason or note').fill(`${status} in the browser test`);
      await form.getByRole('button').click();
      await page.waitForLoadState();
      expect(await page.locator('.lede .status').innerText() === status, `the case is ${status}`);
    }

    // The summary strip follows what is recorded: a contact logged now is "today".
    const lastContact = page.locator('.glance dt', { hasText: 'Last contact' }).locator('xpath=following-sibling::dd');
    expect((await lastContact.innerText()).startsWith('None yet'), 'no contact yet');
    await page.getByText('Log a contact').click();
    await page.locator('form[action$="/contacts"]').getByLabel('Kind').selectOption('office');
    await page.getByRole('button', { name: 'Log contact' }).click();
    await page.waitForLoadState();
    expect((await lastContact.innerText()).startsWith('today'), `the contact is today's: ${await lastContact.innerText()}`);
    await moreActions.click();
    await expectAccessible(page, 'the case page with its summary and menu open');

    // An appointment scheduled from the case page is moved from its own page.
    await page.getByText('Schedule an appointment').click();
    await page.locator('form[action$="/appointments"]').getByLabel('Kind').selectOption('class_session');
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    await page.waitForLoadState();
    await page.getByRole('link', { name: /^Change or cancel the Class session/ }).click();
    await page.waitForURL(/\/appointments\//);
    await expectAccessible(page, 'the appointment page');
    const when = page.getByLabel('When (local time)');
    const later = (await when.inputValue()).replace(/T(\d\d)/, (_, h) => `T${String((Number(h) + 1) % 24).padStart(2, '0')}`);
    await when.fill(later);
    await page.getByRole('button', { name: 'Save the change' }).click();
    await page.waitForURL(/\/cases\/.*#appointments/);
    expect(await page.locator('#appointments + table').innerText().then(t => t.includes(later.replace('T', ' '))), `moved to ${later}`);

    // An assessment started from the case: its questions, and what is missing named.
    await page.getByRole('link', { name: 'Assessments', exact: true }).click();
    await page.waitForURL(/\/assessments$/);
    await expectAccessible(page, "the case's assessments");
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForURL(/\/assessments\/[0-9a-f-]+$/);
    expect(await page.getByRole('heading', { name: 'Questions' }).isVisible(), 'the questions are asked');
    await page.getByRole('button', { name: 'Save, complete and sign' }).click();
    expect(await page.getByRole('alert').isVisible(), 'the questions still to answer are listed');
    await expectAccessible(page, 'an assessment with its questions and problems');

    await page.getByRole('link', { name: 'Caseload' }).click();
    await page.getByLabel('Sort by').selectOption('name');
    await page.getByRole('button', { name: 'Apply' }).click();
    const row = page.getByRole('link', { name: 'Zabriskie, Wilhelmina' });
    expect(await row.count() === 1, 'the new participant is in the caseload');
    await row.click();
    expect(await page.getByRole('heading', { name: 'Timeline' }).isVisible(), 'the participant page has a timeline');
    await expectAccessible(page, 'the participant page');
  }],
  ['a person who may already be on record is offered before a new one is created', async ({ page, url }) => {
    // Each test signs in as its own demo officer: an authenticator code is accepted once per account.
    await signIn(page, url, 'jkim');
    for (let attempt = 0; attempt < 2; attempt++) {
      await page.goto(`${url}/intake`);
      await page.getByLabel('First name', { exact: true }).fill('Quentin');
      await page.getByLabel('Last name', { exact: true }).fill('Abernathy');
      await page.getByLabel('Date of birth', { exact: true }).fill('1980-07-01');
      await page.getByLabel('Program').selectOption({ label: 'Pretrial Supervision' });
      await page.getByLabel('Referred by').fill('Police Department');
      await page.locator('#charges-0--statute_code').fill('PC 602');
      await page.locator('#charges-0--description').fill('Trespass');
      await page.locator('#charges-0--level').selectOption('misdemeanor');
      await page.getByRole('button', { name: 'Save referral and screen' }).click();
      await page.waitForLoadState();
    }
    expect(await page.getByText('This person may already be on record').isVisible(), 'the duplicate warning is shown');
    await expectAccessible(page, 'the duplicate warning');
    await page.getByRole('button', { name: /^Use Quentin Abernathy/ }).click();
    await page.waitForURL(/\/cases\//);
  }],
  ['an officer writes and signs a case note, corrects it and finds it by search', async ({ page, url }) => {
    await signIn(page, url, 'aokafor');
    await page.getByRole('link', { name: 'Caseload' }).click();
    await page.locator('table.list a[href^="/cases/"]').first().click();
    await page.waitForURL(/\/cases\//);
    await page.getByRole('link', { name: 'Write a note' }).click();
    await expectAccessible(page, 'the case notes page');
    await page.getByLabel('Kind').selectOption('contact');
    await page.getByLabel('Note', { exact: true }).fill('Office visit. Says his landlord started an eviction.\nLooking at the shelter list together.');
    await page.getByRole('button', { name: 'Sign', exact: true }).click();
    await page.waitForLoadState();
    expect(await page.locator('mark', { hasText: 'eviction' }).count() > 0, 'the lexicon word is highlighted');
    expect(await page.getByText('Flagged for supervisor review').first().isVisible(), 'the flag is shown');
    await page.getByRole('link', { name: 'Add an addendum' }).first().click();
    await expectAccessible(page, 'a signed note');
    await page.getByRole('textbox', { name: 'Addendum' }).fill('Correction: the notice is from the housing authority.');
    await page.getByRole('button', { name: 'Add addendum' }).click();
    await page.waitForLoadState();
    expect(await page.getByText('Correction: the notice is from the housing authority.').isVisible(), 'the addendum shows with the note');
    await page.getByRole('link', { name: 'Notes', exact: true }).click();
    await page.getByLabel('Words').fill('shelters');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForLoadState();
    expect(await page.locator('mark', { hasText: 'shelter' }).count() > 0, 'the search finds the word in another form');
    await expectAccessible(page, 'the note search');
  }],
  ["a supervisor's home is the team's queue with each officer's load", async ({ page, url }) => {
    await signIn(page, url, 'supervisor');
    expect(await page.getByRole('heading', { name: 'Team' }).isVisible(), 'the team and its load are shown');
    await expectAccessible(page, "the supervisor's work queue");
    // The team table leads to an officer's caseload; two of its cases move to another officer.
    const team = page.locator('section[aria-labelledby="team"] tbody tr');
    const officer = (row) => team.nth(row).locator('td[data-label="Officer"] a');
    const from = await officer(0).innerText();
    const to = await officer(1).innerText();
    await officer(0).click();
    await page.waitForURL(/\/caseload\?officer=/);
    const count = async () => parseInt((await page.locator('p.count').innerText()).split(' ')[0], 10);
    const before = await count();
    const boxes = page.locator('input[form="move-cases"]');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByText('Move cases to other officers').click();
    await expectAccessible(page, 'the caseload with its move form open');
    await page.locator('#to').getByLabel(to, { exact: true }).check();
    await page.getByRole('button', { name: 'Move the cases' }).click();
    await page.waitForLoadState();
    expect(await count() === before - 2, `two cases left ${from}'s caseload (${before} before, ${await count()} now)`);
  }],
  ['an auditor lands on the audit trail and can filter it', async ({ page, url }) => {
    await signIn(page, url, 'auditor', '/audit');
    // The actions are a list: one action, or every action of a family.
    await page.getByLabel('Action').selectOption('auth.');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('cell', { name: /auth\.login/ }).count() > 0, 'sign-ins are listed');
    expect(await page.getByRole('cell', { name: /^person\./ }).count() === 0, 'and nothing but the sign-in family');
    await expectAccessible(page, 'the audit trail');
    // axe leaves some text "to review" rather than failing it; link-styled
    // buttons (this one, "Seen" on the work queue) were once white on white.
    const download = page.getByRole('button', { name: 'Download these events as CSV' });
    const color = await download.evaluate(b => getComputedStyle(b).color);
    expect(color !== 'rgb(255, 255, 255)', `a link-styled button is readable, not white on white (${color})`);
  }],
  ['an administrator opens an account; its forms and the password page are accessible', async ({ page, url }) => {
    await signIn(page, url, 'admin', '/admin/access-review');
    await page.locator('a[href="/admin/users/rvega"]').click();
    await page.waitForURL(`${url}/admin/users/rvega`);
    expect(await page.getByRole('button', { name: 'Change role' }).isVisible(), 'the role form is shown');
    expect(await page.getByRole('button', { name: 'Reset password' }).isVisible(), 'the reset form is shown');
    await expectAccessible(page, 'an account page');
    await page.goto(`${url}/account`);
    expect(await page.getByRole('heading', { name: 'API tokens' }).isVisible(), 'the account page lists tokens');
    await expectAccessible(page, 'your account page');
    await page.goto(`${url}/account/password`);
    await expectAccessible(page, 'the password page');
    await page.goto(`${url}/programs`);
    await page.locator('a[href^="/programs/"]:not([href="/programs/new"])').first().click();
    await page.waitForURL(/\/programs\/[0-9a-f-]+$/);
    expect(await page.getByRole('button', { name: 'Save the standard conditions' }).isVisible(), 'the standard conditions are kept here');
    await expectAccessible(page, 'a program page with its forms');
    await page.goto(`${url}/programs/new`);
    await page.getByRole('button', { name: 'Create the program' }).click();
    expect(await page.getByRole('alert').isVisible(), 'an empty program is refused with its problems listed');
    await expectAccessible(page, 'the new program page with its errors');
    await page.getByRole('link', { name: 'Instruments' }).click();
    await page.getByRole('button', { name: 'Load' }).click();
    expect(await page.getByRole('alert').isVisible(), 'an empty definition is refused with its problem');
    await expectAccessible(page, 'the instruments page');
  }],
  ['pages work on a phone without sideways scrolling', async ({ browser, url }) => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, bypassCSP: true });
    const page = await phone.newPage();
    await signIn(page, url, 'tobrien');
    const wider = async (what) => {
      await page.screenshot({ path: join(artifacts, `${what.replace(/ /g, '-')}-phone.png`), fullPage: false });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      return overflow <= 1 ? [] : [`the ${what} is ${overflow}px wider than the phone`];
    };
    const problems = [];
    await page.goto(`${url}/caseload`);
    problems.push(...await wider('caseload'));
    const caseHref = await page.locator('a[href^="/cases/"]').first().getAttribute('href');
    await page.goto(`${url}${caseHref}`);
    problems.push(...await wider('case page'));
    const personHref = await page.locator('a[href^="/people/"]').first().getAttribute('href');
    await page.goto(`${url}${personHref}`);
    problems.push(...await wider('participant page'));
    await expectAccessible(page, 'a participant page with assessment charts');
    // An active case's plan: its versions, and the version in force.
    await page.goto(`${url}/caseload?status=active`);
    const activeHref = await page.locator('a[href^="/cases/"]').first().getAttribute('href');
    await page.goto(`${url}${activeHref}/case-plans`);
    problems.push(...await wider('case plan list'));
    await expectAccessible(page, "a case's plan versions");
    await page.locator('a[href^="/case-plans/"]').first().click();
    await page.waitForURL(/\/case-plans\/[0-9a-f-]+$/);
    problems.push(...await wider('case plan version'));
    await expectAccessible(page, 'a signed case plan with its progress forms');
    // A review started from the list: the draft's goals and steps as rows.
    await page.goto(`${url}${activeHref}/case-plans`);
    await page.getByLabel('Kind of version').selectOption('review');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForURL(/\/case-plans\/[0-9a-f-]+$/);
    problems.push(...await wider('draft case plan'));
    await expectAccessible(page, 'a draft case plan');
    await phone.close();
    expect(problems.length === 0, problems.join('; '));
  }],
  // One sign-in for these checks: sign-ins from one address are limited per minute.
  ['the keyboard reaches the skip link first; forms are carried out once; a stale save loses nothing', async ({ page, url }) => {
    await signIn(page, url, 'lgarcia');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent) === 'Skip to main content', 'skip link focused first');

    await page.goto(`${url}/caseload`);
    const caseHref = await page.locator('a[href^="/cases/"]').first().getAttribute('href');
    await page.goto(`${url}${caseHref}`);
    const logged = async (note) => (await page.content()).split(note).length - 1;
    // Two identical POSTs at once, as a double click on a slow link sends them.
    await page.getByText('Log a contact').click();
    const form = page.locator('form[action$="/contacts"]');
    await form.getByLabel('Kind').selectOption('phone');
    await form.getByLabel('When (local time)').fill('2026-12-01T10:00');
    await form.getByLabel('Note').fill('Sent twice at once');
    const statuses = await form.evaluate(async (f) => {
      const body = new URLSearchParams(new FormData(f));
      const send = () => fetch(f.action, { method: 'POST', body, redirect: 'manual' }).then(r => r.type);
      return Promise.all([send(), send()]);
    });
    expect(statuses.every(s => s === 'opaqueredirect'), `both answered with the redirect: ${statuses}`);
    await page.reload();
    expect(await logged('Sent twice at once') === 1, 'the contact was written once');
    // A real double click.
    await page.getByText('Log a contact').click();
    await form.getByLabel('Kind').selectOption('phone');
    await form.getByLabel('When (local time)').fill('2026-12-01T11:00');
    await form.getByLabel('Note').fill('Double-clicked');
    await form.getByRole('button', { name: 'Log contact' }).dblclick();
    await page.waitForURL(u => u.hash === '#supervision');
    await page.waitForLoadState('networkidle');
    await page.goto(`${url}${caseHref}`);
    expect(await logged('Double-clicked') === 1, 'the double-clicked contact was written once');

    // Two tabs save the case's details.
    const second = await page.context().newPage();
    for (const tab of [page, second]) {
      await tab.goto(`${url}${caseHref}`);
      await tab.getByText('More actions: status, details and reassignment, sharing').click();
      await tab.getByText('Edit referral and court details, or reassign').click();
    }
    await page.getByLabel('Judge (optional)').fill('Judge Ortiz');
    await page.getByRole('button', { name: 'Save details' }).click();
    await page.waitForLoadState();
    await second.getByLabel('Docket number (optional)').fill('CR-2026-77');
    await second.getByRole('button', { name: 'Save details' }).click();
    await second.waitForLoadState();
    const changed = second.locator('.changed');
    expect(await changed.count() === 1, 'the other change is marked');
    expect((await changed.innerText()).includes('Judge Ortiz'), 'and shows their value');
    expect(await second.getByLabel('Judge (optional)').inputValue() === 'Judge Ortiz', 'theirs is in the form');
    await expectAccessible(second, 'the case page with a conflict');
    await second.getByRole('button', { name: 'Save details' }).click();
    await second.waitForLoadState();
    await second.goto(`${url}${caseHref}`);
    const text = await second.content();
    expect(text.includes('Judge Ortiz') && text.includes('CR-2026-77'), 'both changes are kept');
  }],
];

async function main() {
  mkdirSync(artifacts, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'bridgeway-browser-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(binary, ['demo', '--participants', '40', '--database-url', `sqlite://${join(dir, 'demo.db')}`, '--bind', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  let serverLog = '';
  server.stderr.on('data', d => { serverLog += d; });
  let passed = 0;
  let failed = 0;
  let browser;
  try {
    await waitReady(url, server);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    for (const [name, test] of tests) {
      const context = await browser.newContext({ bypassCSP: true });
      const page = await context.newPage();
      try {
        await test({ browser, page, url });
        passed++;
        console.log(`ok   - ${name}`);
      } catch (e) {
        failed++;
        const shot = join(artifacts, `${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
        await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
        console.log(`FAIL - ${name}\n       ${String(e.stack ?? e).split('\n').join('\n       ')}\n       screenshot: ${shot}`);
      } finally {
        await context.close();
      }
    }
  } catch (e) {
    failed++;
    console.log(`FAIL - setting up: ${e}\n${serverLog}`);
  } finally {
    await browser?.close();
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main();
