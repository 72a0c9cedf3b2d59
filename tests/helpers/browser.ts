/**
 * Debian's Chromium through playwright-core, for the browser tests: where
 * it is, how to launch it here, and a page that records console errors and
 * refuses (and records) every request outside the allowed origin.
 *
 * @module
 */

import { type Browser, chromium, type Page } from "playwright-core";

/** Where Debian puts Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether the browser tests run: Chromium is there, or CI requires it. */
export const BROWSER_TESTS_RUN: boolean = await Deno.stat(CHROMIUM).then(
  () => true,
  () => Deno.env.get("CI") === "true",
);

/** Launches headless Chromium with the flags that work on these machines. @returns The browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** A page and what it did wrong. */
export interface WatchedPage {
  /** The page. */
  page: Page;
  /** Console errors and uncaught page errors. */
  problems: string[];
  /** Requests to anywhere but `origin` (all refused). */
  outside: string[];
}

/**
 * Opens a page that may only talk to `origin`.
 *
 * @param browser The browser.
 * @param origin E.g. `http://127.0.0.1:8080`.
 * @returns The page and its problem lists.
 */
export async function watchedPage(
  browser: Browser,
  origin: string,
): Promise<WatchedPage> {
  const page = await browser.newPage({
    viewport: { width: 1200, height: 900 },
  });
  const problems: string[] = [];
  const outside: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on(
    "pageerror",
    (error) => problems.push(`page error: ${error.message}`),
  );
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith("data:")) {
      return route.continue();
    }
    outside.push(url);
    return route.abort();
  });
  return { page, problems, outside };
}
