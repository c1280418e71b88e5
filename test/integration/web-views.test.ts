import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { markSynced, markSyncing } from '../../src/db/repositories/mailbox-health.repository.ts';
import {
  addDeliveries,
  failDelivery,
} from '../../src/db/repositories/webhook-delivery.repository.ts';
import { saveMailSyncState } from '../../src/db/repositories/mail-sync-state.repository.ts';
import { openTestOrm } from '../helpers/test-orm.ts';
import {
  MEETING_WEEK,
  openBrowser,
  SCREENSHOTS,
  signInWithForm,
  startWebApp,
  type Browser,
  type WebApp,
} from '../helpers/web-harness.ts';

/**
 * The web views in headless Chromium against the real app over HTTP, with Dana's demo mailbox:
 * sign-in, the inbox and its search and keys, a thread, a person's timeline and name edit, the
 * calendar week, and a mailbox's backfill progress. Every request the pages make is recorded and
 * none may leave 127.0.0.1; no console errors.
 */
let orm: Orm;
let web: WebApp;
let browser: Browser;

beforeAll(async () => {
  orm = await openTestOrm();
  web = await startWebApp(orm);
  browser = await openBrowser({ timezoneId: 'Europe/Berlin' });
});
afterAll(async () => {
  await browser.close();
  await web.close();
  await orm.close(true);
});

/** An attribute of every element the locator matches, in document order. */
async function attrs(locator: Locator, name: string): Promise<string[]> {
  return Promise.all((await locator.all()).map(async (l) => (await l.getAttribute(name)) ?? ''));
}

const shot = (name: string) =>
  browser.page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });

describe('web views in Chromium', () => {
  it('refuses a wrong key and signs in with the right one', async () => {
    const { page } = browser;
    await page.goto(`${web.baseUrl}/app/`);
    await page.getByRole('heading', { name: 'Sign in to Mailroom' }).waitFor();
    await shot('sign-in');
    await page.getByLabel('API key').fill('mr_not_a_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Inbox' }).count()).toBe(0);
    await signInWithForm(page, web.baseUrl, web.key);
    // The session is a cookie the page's script cannot read.
    expect(await page.evaluate('document.cookie')).toBe('');
  });

  it('lists the inbox newest first and searches it', async () => {
    const { page } = browser;
    const rows = page.locator('ol.inbox > li');
    await rows.first().waitFor();
    const dates = await attrs(page.locator('ol.inbox time'), 'datetime');
    expect(dates.length).toBeGreaterThan(10);
    expect([...dates].sort().reverse()).toEqual(dates);
    await shot('inbox');

    await page.keyboard.press('/');
    expect(await page.evaluate('document.activeElement?.id')).toBe('inbox-q');
    await page.keyboard.type('telematics');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=telematics/);
    // The list is the API's answer to the same search, in its order (best match first).
    const res = await web.api.call('GET', '/api/v1/emails?q=telematics&limit=50', { as: web.key });
    const expected = res.json<{ items: { id: string; subject: string }[] }>().items;
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(dates.length);
    expect(expected.some((e) => e.subject.includes('Fleet telematics pilot'))).toBe(true);
    const links = page.locator('ol.inbox a.row-link');
    await links.nth(expected.length).waitFor({ state: 'detached' });
    await page
      .locator('ol.inbox a.row-link')
      .nth(expected.length - 1)
      .waitFor();
    const hrefs = await attrs(links, 'href');
    expect(hrefs).toEqual(expected.map((e) => `/app/emails/${e.id}`));
  });

  it('opens a thread from the keyboard, oldest first, with its people', async () => {
    const { page } = browser;
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    await page.keyboard.press('j');
    await page.locator('ol.inbox > li.selected').waitFor();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/app\/emails\//);
    const messages = page.locator('article.message');
    await messages.first().waitFor();
    expect(await messages.count()).toBeGreaterThanOrEqual(3);
    const sent = await attrs(page.locator('article.message header time'), 'datetime');
    expect([...sent].sort()).toEqual(sent);
    // The first message of the Bluepeak thread is Priya's; its body is a frame or text.
    expect(await messages.first().locator('h2').textContent()).toContain('priya.raman');
    await shot('thread');
    await page.getByRole('link', { name: 'priya.raman@bluepeak-logistics.com' }).first().click();
    await page.getByRole('heading', { name: 'Priya Raman' }).waitFor();
  });

  it("shows a person's timeline and saves an edited name", async () => {
    const { page } = browser;
    const activities = page.locator('ol.timeline > li');
    await activities.first().waitFor();
    const kinds = await page.locator('ol.timeline .what').allTextContents();
    expect(kinds).toContain('Email received');
    expect(kinds).toContain('Meeting scheduled');
    await shot('person');
    await page.getByLabel('First name').fill('Priyanka');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Priyanka Raman' }).waitFor();
  });

  it("shows a company's people and timeline", async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'bluepeak-logistics.com' }).click();
    await page.getByRole('heading', { name: 'People' }).waitFor();
    await page.getByRole('link', { name: 'Priyanka Raman' }).waitFor();
    await page.locator('ol.timeline > li').first().waitFor();
    expect(await page.locator('ol.timeline .what').allTextContents()).toContain('Email sent');
    await shot('company');
  });

  it('shows the calendar week in the viewer’s time zone, all-day and cancelled ones apart', async () => {
    const { page } = browser;
    await page.goto(`${web.baseUrl}/app/calendar?week=${MEETING_WEEK}`);
    await page.locator('table.week').waitFor();
    expect(await page.locator('table.week thead th[scope=col]').count()).toBe(8); // row label + 7 days
    await page.getByText('Bluepeak pilot review').waitFor();
    // 15:00 UTC is 17:00 in Berlin (CEST).
    const call = page.locator('li.meeting', { hasText: 'Bluepeak pilot review' });
    expect(await call.locator('.when').textContent()).toBe('17:00–18:00');
    const allDayCells = page.locator('tr.all-day td', { hasText: 'Logistics trade fair' });
    expect(await allDayCells.count()).toBe(2); // 7 and 8 October; the end date is exclusive
    const cancelled = page.locator('li.meeting', { hasText: 'Kestrel demo' });
    expect(await cancelled.locator('.tag').allTextContents()).toContain('Cancelled');
    expect(
      await page.evaluate(
        "getComputedStyle(document.querySelector('li.cancelled-meeting .title')).textDecorationLine",
      ),
    ).toBe('line-through');
    expect(
      await page
        .locator('li.meeting', { hasText: 'Pipeline review' })
        .locator('.tag')
        .allTextContents(),
    ).toContain('Recurring');
    await shot('calendar-week');
    await page.getByRole('link', { name: 'Agenda' }).click();
    await page.locator('.agenda h2').first().waitFor();
    await page.getByRole('link', { name: 'Priya Raman' }).waitFor();
  });

  it('shows a backfill’s progress while it runs, and stops polling when it is done', async () => {
    const { page } = browser;
    const em = () => orm.em.fork();
    const startedAt = new Date().toISOString();
    await markSyncing(em(), web.mailboxId, 300);
    await saveMailSyncState(em(), web.mailboxId, {
      stages: { mail: 'backfill' },
      backfill: { done: 120, total: 600, startedAt, finishedAt: null },
    });
    await page.goto(`${web.baseUrl}/app/mailboxes`);
    const bar = page.getByRole('progressbar');
    await bar.waitFor();
    expect(await bar.getAttribute('aria-valuenow')).toBe('120');
    expect(await bar.getAttribute('aria-valuemax')).toBe('600');
    expect(await bar.getAttribute('aria-valuemin')).toBe('0');
    await page.getByText('Importing past mail').waitFor();
    // The page polls while the mailbox syncs: the next step of the sync shows without a reload.
    await saveMailSyncState(em(), web.mailboxId, {
      stages: { mail: 'backfill' },
      backfill: { done: 450, total: 600, startedAt, finishedAt: null },
    });
    await bar.and(page.locator('[aria-valuenow="450"]')).waitFor({ timeout: 20_000 });
    expect(await page.locator('.progress-wrap .hint').textContent()).toMatch(/^450 of 600/);
    await shot('mailboxes');
    await saveMailSyncState(em(), web.mailboxId, {
      stages: { mail: 'incremental' },
      backfill: { done: 600, total: 600, startedAt, finishedAt: new Date().toISOString() },
    });
    await markSynced(em(), web.mailboxId);
    await page.getByText('Following new mail').waitFor({ timeout: 20_000 });
    expect(await page.locator('dd.status-active').textContent()).toBe('Active');
  });

  it('fits a 375 px wide screen', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${web.baseUrl}/app/`);
    await page.locator('ol.inbox > li').first().waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await shot('inbox-375');
    await page.goto(`${web.baseUrl}/app/calendar?week=${MEETING_WEEK}`);
    await page.getByText('Bluepeak pilot review').waitFor();
    // The week scrolls inside its own box; the page itself does not.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('lists webhooks with their recent deliveries', async () => {
    const { page } = browser;
    // A public address the egress policy accepts; no webhook worker runs here, nothing calls it.
    const created = await web.api.call('POST', '/api/v1/webhooks', {
      as: web.key,
      body: { url: 'https://8.8.8.8/crm-hooks', events: ['email.received'] },
    });
    expect(created.statusCode).toBe(201);
    const webhookId = created.json<{ id: string }>().id;
    // A delivery as the relay's fan-out stores it, then given up on (a settled one can be replayed).
    const eventId = 'evt_9999999999999999001';
    await addDeliveries(orm.em.fork(), [
      {
        id: eventId,
        type: 'email.received',
        workspaceId: web.workspaceId,
        envelope: { id: eventId },
      },
    ]);
    await failDelivery(orm.em.fork(), webhookId, eventId, 'the endpoint answered 500');
    await page.goto(`${web.baseUrl}/app/webhooks`);
    await page.getByRole('heading', { name: 'https://8.8.8.8/crm-hooks' }).waitFor();
    await page.getByText('email.received').first().waitFor();
    await page.getByRole('heading', { name: 'Recent deliveries' }).waitFor();
    const row = page.locator('table.deliveries tbody tr', { hasText: 'email.received' });
    await row.locator('td.delivery-failed').waitFor();
    expect(await row.textContent()).toContain('the endpoint answered 500');
    await shot('webhooks');
    await row.getByRole('button', { name: 'Replay' }).click();
    await row.getByRole('status').filter({ hasText: 'Replay queued.' }).waitFor();
    await row.locator('td.delivery-retrying').waitFor();
  });

  it('disconnects a mailbox after a confirm step, with the purge choice', async () => {
    const { page } = browser;
    await page.goto(`${web.baseUrl}/app/mailboxes`);
    await page.getByRole('button', { name: 'Disconnect…' }).click();
    await page.getByLabel('Also delete its mail and calendar events').check();
    await page.getByRole('button', { name: 'Confirm disconnect' }).click();
    await page.locator('dd.status-disconnected').waitFor();
    expect(
      browser.requests.some((u) => u.includes(`/api/v1/mailboxes/${web.mailboxId}?purge=true`)),
    ).toBe(true);
  });

  it('signs out', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Mailroom' }).waitFor();
    await page.goto(`${web.baseUrl}/app/mailboxes`);
    await page.getByRole('heading', { name: 'Sign in to Mailroom' }).waitFor();
  });

  it('made no request off 127.0.0.1 and logged no console error', () => {
    const origin = new URL(web.baseUrl).origin;
    expect(browser.requests.length).toBeGreaterThan(0);
    expect(browser.requests.filter((u) => !u.startsWith(`${origin}/`))).toEqual([]);
    expect(browser.errors).toEqual([]);
    expect(browser.dialogs).toEqual([]);
  });
});
