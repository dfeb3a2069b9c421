import { chromium } from 'playwright-core';
const url = 'http://127.0.0.1:8099';
const user = process.argv[2];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
await page.goto(`${url}/login`);
await page.getByLabel('Username').fill(user);
await page.getByLabel('Password').fill('bridgeway-demo-2026');
await page.getByLabel('I have read the notice').check();
await page.getByRole('button', { name: 'Sign in' }).click();
await page.waitForURL(`${url}/mfa`);
const code = await page.locator('#demo-code').innerText();
await page.getByLabel('Authenticator code').fill(code);
await page.getByRole('button', { name: 'Continue' }).click();
await page.waitForLoadState();
await page.screenshot({ path: `/tmp/t-${user}-home.png`, fullPage: false });
const caseLink = page.locator('a[href^="/cases/"]').first();
await caseLink.click(); await page.waitForLoadState();
await page.screenshot({ path: `/tmp/t-${user}-case.png`, fullPage: false });
const cond = page.locator('a[href^="/conditions/"]').first();
if (await cond.count()) { const h = await cond.getAttribute('href'); await page.goto(url + h); await page.screenshot({ path: `/tmp/t-${user}-condition.png`, fullPage: false }); await page.goBack(); }
const person = page.locator('a[href^="/people/"]').first();
if (await person.count()) { await person.click(); await page.waitForLoadState(); await page.screenshot({ path: `/tmp/t-${user}-person.png`, fullPage: false }); }
await browser.close();
