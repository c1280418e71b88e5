import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { openTestOrm } from '../helpers/test-orm.ts';
import {
  OWNER,
  openBrowser,
  signInWithForm,
  startWebApp,
  type Browser,
  type WebApp,
} from '../helpers/web-harness.ts';

/**
 * A crafted message with a script, an `onerror=` handler, an `onload=` handler and a
 * `javascript:` link, opened in the thread view in Chromium: it renders (with its inline styles),
 * and nothing in it runs (no global flag set in the page or its frame, no dialog, no console
 * error).
 */
const HOSTILE_HTML = [
  // Inline styles, as nearly every HTML email has: they apply, and nothing logs a CSP error.
  '<p style="color: rgb(200, 0, 0)">Quarterly numbers for the board.</p>',
  "<script>parent.__mailroomPwned = 'script'; window.__mailroomPwned = 'script'; alert('script');</script>",
  '<img src="x" onerror="parent.__mailroomPwned = \'onerror\'; alert(\'onerror\')">',
  '<svg onload="parent.__mailroomPwned = \'svg\'"></svg>',
  '<a href="javascript:parent.__mailroomPwned=\'href\'">details</a>',
].join('\r\n');

const hostile = Buffer.from(
  [
    'From: Mallory Grey <mallory@grey-hat.example>',
    `To: ${OWNER}`,
    'Subject: Quarterly numbers',
    'Date: Tue, 06 Oct 2026 09:00:00 +0000',
    'Message-ID: <hostile-1@grey-hat.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    HOSTILE_HTML,
    '',
  ].join('\r\n'),
);

let orm: Orm;
let web: WebApp;
let browser: Browser;

beforeAll(async () => {
  orm = await openTestOrm();
  web = await startWebApp(orm, [hostile]);
  browser = await openBrowser();
});
afterAll(async () => {
  await browser.close();
  await web.close();
  await orm.close(true);
});

describe('a hostile message in the thread view', () => {
  it('renders without running its script or handlers', async () => {
    const { page } = browser;
    await signInWithForm(page, web.baseUrl, web.key);
    await page.getByLabel('Search').fill('Quarterly');
    await page.keyboard.press('Enter');
    await page
      .getByRole('link', { name: /Quarterly numbers/ })
      .first()
      .click();
    const frameElement = page.locator('iframe.body-frame');
    await frameElement.waitFor();
    // A sandbox with no tokens: no scripts, an opaque origin.
    expect(await frameElement.getAttribute('sandbox')).toBe('');
    const frame = await (await frameElement.elementHandle()).contentFrame();
    if (frame === null) {
      throw new Error('the message frame has no document');
    }
    await frame.getByText('Quarterly numbers for the board.').waitFor();
    // The `javascript:` link, when the sanitiser kept it as a link at all, does nothing either.
    const link = frame.getByRole('link', { name: 'details' });
    if ((await link.count()) > 0) {
      await link.click();
    }
    expect(await frame.evaluate("getComputedStyle(document.querySelector('p')).color")).toBe(
      'rgb(200, 0, 0)',
    );
    expect(await page.evaluate('typeof window.__mailroomPwned')).toBe('undefined');
    expect(await frame.evaluate('typeof window.__mailroomPwned')).toBe('undefined');
    expect(browser.dialogs).toEqual([]);
    expect(browser.errors).toEqual([]);
    const origin = new URL(web.baseUrl).origin;
    expect(browser.requests.filter((u) => !u.startsWith(`${origin}/`))).toEqual([]);
  });
});
