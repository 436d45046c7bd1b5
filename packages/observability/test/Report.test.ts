import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { chromium } from "playwright-core"
import { Observability, Report, TokenAccount } from "../src/index.ts"
import { workflow } from "./fixtures.ts"
import { calls, input } from "./tokenFixture.ts"

const CHROMIUM = "/usr/bin/chromium"
const dir = mkdtempSync(join(tmpdir(), "tta-report-"))
// Set TTA_REPORT_OUT to keep the report and screenshot somewhere to look at.
const out = process.env.TTA_REPORT_OUT ?? dir
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const makeRun = Effect.gen(function* () {
  yield* workflow
  const spans = yield* Observability.spans
  const tokens = yield* TokenAccount.account(input)
  return { spans, tokens }
}).pipe(Effect.provide(Observability.memory("report-test")))

describe("Report", () => {
  it.live("render is self-contained: no script, no external URL, all text escaped", () =>
    Effect.gen(function* () {
      const { spans, tokens } = yield* makeRun
      const html = Report.render({ title: "<b>x</b> & co", spans, tokens, toolCalls: calls })
      expect(html).not.toMatch(/<script|<link|@import|src=|url\(/i)
      expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/)
      expect(html).toContain("&#60;b&#62;x&#60;/b&#62; &#38; co")
      expect(html).toContain("gpt-tokenizer (o200k_base)")
    })
  )

  it.live("derives the tool calls from the MCP spans when none are given", () =>
    Effect.gen(function* () {
      const { spans } = yield* makeRun
      const derived = Report.toolCallsFromSpans(spans)
      expect(derived).toHaveLength(4)
      expect(derived.filter((c) => c.isError).map((c) => c.tool)).toEqual(["read_file"])
      expect(derived.every((c) => c.server === "fs")).toBe(true)
    })
  )

  it.live("bad input is a typed error naming the path", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Report.writeReport(join(dir, "x.html"), { spans: "nope" } as never))
      expect(error._tag).toBe("ReportError")
      expect(error.message).toContain("run.spans")
      // a directory that cannot exist: its parent is a file
      const blocker = join(dir, "blocker")
      writeFileSync(blocker, "")
      const unwritable = yield* Effect.flip(Report.writeReport(join(blocker, "report.html"), { spans: [] }))
      expect(unwritable.path).toBe(join(blocker, "report.html"))
      expect(unwritable.message).toContain("cannot write")
    })
  )

  it.live(
    "opens in headless Chromium: waterfall and chart present and visible, screenshot taken",
    () =>
      Effect.gen(function* () {
        expect(existsSync(CHROMIUM), `${CHROMIUM} is missing (Debian package chromium)`).toBe(true)
        const { spans, tokens } = yield* makeRun
        const file = join(out, "report.html")
        yield* Report.writeReport(file, { title: "Observability test run", spans, tokens, toolCalls: calls })
        const screenshot = join(out, "report.png")
        const result = yield* Effect.promise(async () => {
          const context = await chromium.launchPersistentContext(mkdtempSync(join(dir, "profile-")), {
            executablePath: CHROMIUM,
            headless: true,
            args: [
              "--headless",
              "--no-sandbox",
              "--disable-gpu",
              "--disable-quic",
              "--no-first-run",
              "--disable-background-networking",
              "--disable-component-update",
              "--disable-sync"
            ],
            viewport: { width: 1280, height: 900 }
          })
          try {
            const page = context.pages()[0] ?? (await context.newPage())
            const requested: Array<string> = []
            page.on("request", (request) => {
              requested.push(request.url())
            })
            await page.goto(pathToFileURL(file).href)
            const waterfall = page.locator("#waterfall")
            const chart = page.locator("#token-chart")
            const rows = page.locator("#waterfall .wf-row")
            const info = {
              waterfallVisible: await waterfall.isVisible(),
              chartVisible: await chart.isVisible(),
              chartBox: await chart.boundingBox(),
              rows: await rows.count(),
              errorRows: await page.locator("#waterfall .wf-row.error").count(),
              maxDepth: Math.max(
                ...(await rows.evaluateAll((els) => els.map((el) => Number(el.getAttribute("data-depth")))))
              ),
              deepest: await page.locator('#waterfall .wf-row[data-depth="6"] .wf-name').allInnerTexts(),
              barHeights: await page
                .locator("#token-chart g.bar rect")
                .evaluateAll((els) => els.map((el) => Number(el.getAttribute("height")))),
              barsVisible: await page.locator("#token-chart g.bar rect").first().isVisible(),
              toolRows: await page.locator("#tool-call-table tbody tr").count(),
              errorBarColor: await page
                .locator("#waterfall .wf-row.error .wf-bar")
                .first()
                .evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).backgroundColor),
              requested
            }
            await page.screenshot({ path: screenshot, fullPage: true })
            return info
          } finally {
            await context.close()
          }
        })
        expect(result.waterfallVisible).toBe(true)
        expect(result.chartVisible).toBe(true)
        expect(result.chartBox?.width).toBeGreaterThan(100)
        expect(result.rows).toBe(spans.length)
        expect(result.errorRows).toBe(spans.filter((s) => s.status === "error").length)
        expect(result.errorRows).toBeGreaterThan(0)
        expect(result.maxDepth).toBe(6) // workflow → sequence → retry → attempt → execute → host_call → tools/call
        expect(result.deepest.some((t) => t.includes("tools/call list_directory"))).toBe(true)
        expect(result.barHeights).toHaveLength(3)
        const [direct = 0, search = 0, code = 0] = result.barHeights
        expect(direct).toBeGreaterThan(search)
        expect(search).toBeGreaterThan(code)
        expect(result.barsVisible).toBe(true)
        expect(result.toolRows).toBe(calls.length)
        expect(result.errorBarColor).toBe("rgb(217, 45, 32)")
        // nothing but the file itself was loaded
        expect(result.requested).toEqual([pathToFileURL(file).href])
        expect(statSync(screenshot).size).toBeGreaterThan(10_000)
        expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe("PNG")
      }),
    120_000
  )
})
