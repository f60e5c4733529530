/**
 * Figure export checked in a real browser: exports fixture notebooks' figures with one
 * renderer, copies the output folder elsewhere, opens every HTML in headless Chromium and
 * validates every SVG, PNG and PDF.
 *
 * Needs Debian's chromium (`apt-get install -y chromium`). Without it the suite FAILS when
 * CI=true and is skipped locally, with a message saying so.
 */
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pathToFileURL } from "url";
import { chromium, type Browser } from "playwright-core";
import { applyStyle, PRESETS, STYLE_PRESETS } from "../lib/plots/style";
import {
  CARTESIAN_TRACE_TYPES,
  CHROMIUM_ARGS,
  findChromium,
  openRenderer,
  PLOTLY_TRACE_TYPES,
  type Renderer,
} from "../lib/export/render";
import { exportFigures, type ExportResult } from "../scripts/figures";
import {
  BARS,
  LINES,
  makeFixtureProject,
  TRACE_COUNTS,
  UNKNOWN_TYPE,
} from "./helpers/figureNotebooks";

const chromiumPath = findChromium();
const inCI = /^(1|true)$/i.test(process.env.CI ?? "");
const IDS = Object.keys(TRACE_COUNTS);
const NOTEBOOK = PRESETS.notebook;

if (chromiumPath === null) {
  const why = "no Chromium found (apt-get install -y chromium)";
  if (inCI) {
    test("Chromium is installed for the browser tests in CI", () =>
      assert.fail(`${why}; .ci/run must install it`));
  } else {
    test(`browser tests skipped: ${why}`, { skip: why }, () => undefined);
  }
} else {
  describe("figure export in headless Chromium", () => {
    let renderer: Renderer;
    let browser: Browser;
    let result: ExportResult;
    let copied: string;
    const file = (id: string, ext: string): string => path.join(copied, `${id}.${ext}`);

    before(async () => {
      const root = makeFixtureProject([UNKNOWN_TYPE]);
      const r = await openRenderer();
      assert.ok(r, "openRenderer found Chromium");
      renderer = r;
      result = await exportFigures({
        notebooksDir: path.join(root, "notebooks"),
        outDir: path.join(root, "figures"),
        preset: "notebook",
        renderer,
        log: () => undefined,
      });
      // Elsewhere on disk: the HTML must not depend on the original location.
      copied = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "passk-figcopy-")), "figures");
      fs.cpSync(path.join(root, "figures"), copied, { recursive: true });
      fs.rmSync(root, { recursive: true, force: true });
      browser = await chromium.launch({ executablePath: chromiumPath, args: [...CHROMIUM_ARGS] });
    });

    after(async () => {
      await renderer?.close();
      await browser?.close();
    });

    test("the export writes html, svg, png and pdf for every good figure and names the malformed one", () => {
      assert.deepEqual(result.written, IDS);
      assert.equal(result.staticAvailable, true);
      assert.equal(result.exitCode, 1);
      assert.deepEqual(result.errors, [
        'figure "fx-bad-type": trace 0 has unknown trace type "scatterr"',
      ]);
      for (const id of IDS)
        for (const ext of ["html", "svg", "png", "pdf"])
          assert.ok(fs.existsSync(file(id, ext)), `${id}.${ext}`);
      assert.ok(!fs.existsSync(file("fx-bad-type", "html")));
    });

    test("each HTML, opened from a copy of the folder, renders the expected number of traces with no page errors and no network", async () => {
      // One page opens the HTMLs in turn, in one renderer process: a page each started a
      // process per HTML, each compiling the 4.8 MB bundle anew (~3 s more Chromium CPU).
      const page = await browser.newPage();
      let problems: string[] = [];
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
      page.on("request", (req) => {
        if (!req.url().startsWith(pathToFileURL(copied).href + "/"))
          problems.push(`request outside the folder: ${req.url()}`);
      });
      try {
        for (const id of IDS) {
          problems = [];
          // Generous timeouts: evaluating the 4.8 MB bundle takes seconds on a busy 2-core machine.
          await page.goto(pathToFileURL(file(id, "html")).href, { timeout: 120_000 });
          await page.waitForFunction("document.querySelector('#figure .main-svg') !== null", null, {
            timeout: 120_000,
          });
          const seen = await page.evaluate(`(() => {
            const gd = document.getElementById("figure");
            return { full: gd._fullData.length, drawn: gd.querySelectorAll("g.trace, g.hm > image").length };
          })()`);
          assert.deepEqual(problems, [], id);
          assert.deepEqual(seen, { full: TRACE_COUNTS[id], drawn: TRACE_COUNTS[id] }, id);
        }
      } finally {
        await page.close();
      }
    });

    test("every SVG parses as an SVG image of the figure's size", async () => {
      const page = await browser.newPage();
      for (const id of IDS) {
        const svg = fs.readFileSync(file(id, "svg"), "utf8");
        const seen = await page.evaluate(
          `(async (text) => {
            const doc = new DOMParser().parseFromString(text, "image/svg+xml");
            const img = new Image();
            img.src = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(text)));
            await img.decode();
            return { root: doc.documentElement.nodeName, parseErrors: doc.getElementsByTagName("parsererror").length,
                     width: img.naturalWidth, height: img.naturalHeight };
          })(${JSON.stringify(svg)})`,
        );
        assert.deepEqual(
          seen,
          { root: "svg", parseErrors: 0, width: NOTEBOOK.width, height: NOTEBOOK.height },
          id,
        );
      }
      await page.close();
    });

    test("every PNG has the PNG signature and an IHDR of twice the figure size", () => {
      const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      for (const id of IDS) {
        const png = fs.readFileSync(file(id, "png"));
        assert.ok(png.subarray(0, 8).equals(signature), id);
        assert.equal(png.toString("latin1", 12, 16), "IHDR");
        assert.deepEqual(
          [png.readUInt32BE(16), png.readUInt32BE(20)],
          [2 * NOTEBOOK.width, 2 * NOTEBOOK.height],
          id,
        );
      }
    });

    test("every PDF is a single page of the figure's size (96 px = 72 pt)", () => {
      for (const id of IDS) {
        const pdf = fs.readFileSync(file(id, "pdf")).toString("latin1");
        assert.ok(pdf.startsWith("%PDF-"), id);
        assert.equal(pdf.match(/\/Type\s*\/Page\b(?!s)/g)?.length, 1, `${id}: one page`);
        const box = /\/MediaBox\s*\[\s*([\d.\s]+)\]/.exec(pdf)![1].trim().split(/\s+/).map(Number);
        assert.deepEqual(
          box.map(Math.round),
          [0, 0, NOTEBOOK.width * 0.75, NOTEBOOK.height * 0.75],
          id,
        );
      }
    });

    test("the renderer starts on the cartesian bundle, whose trace types are CARTESIAN_TRACE_TYPES", async () => {
      // The file's renderer, as openRenderer() opened it: so far it has plotted only cartesian
      // figures (the export), so it must still be on the bundle it started with. This test runs
      // before the ones that move it to the full bundle (a figure with an unknown trace type).
      // A second renderer here cost a Chromium start and a bundle compile in a fresh profile.
      const r = renderer;
      assert.equal(r.bundle, "cartesian");
      assert.deepEqual(await r.traceTypes(), [...CARTESIAN_TRACE_TYPES].sort());
      // A trace type outside the cartesian bundle moves the page to the full bundle, whose
      // list is the one checkFigure uses; the figure still renders.
      const polar = {
        data: [{ type: "scatterpolar", r: [1, 2, 3], theta: [0, 90, 180] }],
        layout: {},
      };
      const svg = (
        await r.toImage(polar as any, { format: "svg", width: 300, height: 200, id: "fx-polar" })
      ).toString("utf8");
      assert.match(svg, /class="polarlayer"/);
      assert.equal(r.bundle, "full");
      assert.deepEqual(await r.traceTypes(), [...PLOTLY_TRACE_TYPES].sort());
      assert.equal(r.plotlyVersion, require("plotly.js-dist-min/package.json").version);
    });

    test("a figure Plotly throws on is rejected with its id, and the renderer keeps working", async () => {
      const throws = { data: [{ y: [1, 2] }], layout: { template: { layout: { xaxis: null } } } };
      await assert.rejects(
        renderer.toImage(throws as any, { format: "png", id: "fx-throws" }),
        /^Error: figure "fx-throws": Plotly failed: TypeError/,
      );
      await assert.rejects(
        renderer.toImage(UNKNOWN_TYPE.figure, { format: "svg", id: "fx-bad" }),
        /figure "fx-bad": trace 0 has unknown trace type/,
      );
      const png = await renderer.toImage(LINES.figure, {
        format: "png",
        width: 300,
        height: 200,
        scale: 1,
      });
      assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [300, 200]);
    });

    test("no text is clipped: every label of a styled figure lies inside the image, for every preset", async () => {
      const page = await browser.newPage();
      for (const preset of STYLE_PRESETS) {
        for (const fx of [LINES, BARS]) {
          const { svg } = await renderer.toImages(applyStyle(fx.figure, preset), {
            formats: ["svg"],
            id: fx.info.id,
          });
          await page.setContent(`<body style="margin:0">${svg!.toString("utf8")}</body>`);
          const outside: string[] = await page.evaluate(`(() => {
            const root = document.querySelector("svg").getBoundingClientRect();
            return [...document.querySelectorAll("text")].filter((t) => t.textContent.trim() !== "").flatMap((t) => {
              const b = t.getBoundingClientRect();
              const inside = b.left >= root.left - 0.5 && b.right <= root.right + 0.5 && b.top >= root.top - 0.5 && b.bottom <= root.bottom + 0.5;
              return inside ? [] : [t.textContent + " @ " + [b.left, b.top, b.right, b.bottom].map(Math.round).join(",")];
            });
          })()`);
          assert.deepEqual(outside, [], `${fx.info.id} (${preset})`);
        }
      }
      await page.close();
    });

    test("a persistent profile loads the bundle twice on first use, so Chromium writes V8's code cache for it", async () => {
      const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), "passk-profile-"));
      try {
        for (let run = 0; run < 2; run++) {
          const r = await openRenderer({ profileDir });
          assert.ok(r);
          const png = await r.toImage(LINES.figure, {
            format: "png",
            width: 200,
            height: 100,
            scale: 1,
          });
          assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [200, 100]);
          await r.close();
          assert.ok(!fs.existsSync(path.join(profileDir, "passk.lock")), "lock released on close");
        }
        const markers = fs
          .readdirSync(profileDir)
          .filter((f) => f.startsWith("passk-warm-plotly-cartesian-"));
        assert.equal(markers.length, 1);
        const codeCache = path.join(profileDir, "Default", "Code Cache", "js");
        assert.ok(fs.readdirSync(codeCache).length > 0, "V8 code cache entries written");
      } finally {
        fs.rmSync(profileDir, { recursive: true, force: true });
      }
    });

    test("a batch prints its PDFs together: one page per figure at its own size, and a bad figure fails alone", async () => {
      const throws = { data: [{ y: [1, 2] }], layout: { template: { layout: { xaxis: null } } } };
      const results = await renderer.renderBatch(
        [
          { fig: LINES.figure, id: "b-lines", width: 300, height: 200 },
          { fig: throws as any, id: "b-throws" },
          { fig: BARS.figure, id: "b-bars", width: 480, height: 360 },
          { fig: UNKNOWN_TYPE.figure, id: "b-unknown" },
          { fig: LINES.figure, id: "b-lines-again", width: 300, height: 200 },
        ],
        { formats: ["svg", "png", "pdf"], scale: 2 },
      );
      assert.deepEqual(
        results.map((r) => r.id),
        ["b-lines", "b-throws", "b-bars", "b-unknown", "b-lines-again"],
      );
      assert.match(String(results[1].error), /figure "b-throws": Plotly failed/);
      assert.match(String(results[3].error), /figure "b-unknown": trace 0 has unknown trace type/);
      for (const [i, w, h] of [
        [0, 300, 200],
        [2, 480, 360],
        [4, 300, 200],
      ] as const) {
        const { svg, png, pdf } = results[i].images!;
        assert.match(svg!.toString("utf8"), new RegExp(`^<svg [^>]*width="${w}" height="${h}"`));
        assert.deepEqual([png!.readUInt32BE(16), png!.readUInt32BE(20)], [2 * w, 2 * h]);
        const text = pdf!.toString("latin1");
        assert.equal(text.match(/\/Type\s*\/Page\b(?!s)/g)?.length, 1, results[i].id);
        const box = /\/MediaBox\s*\[\s*([\d.\s]+)\]/.exec(text)![1].trim().split(/\s+/).map(Number);
        assert.deepEqual(box.map(Math.round), [0, 0, w * 0.75, h * 0.75], results[i].id);
      }
      // The same figure, alone or in a batch, gives the same PNG: every figure is plotted afresh.
      const alone = await renderer.toImage(LINES.figure, {
        format: "png",
        width: 300,
        height: 200,
        scale: 2,
      });
      assert.ok(alone.equals(results[0].images!.png!));
    });

    test("a label that cannot fit is reported as a warning naming the figure", async () => {
      const long = "a y-axis title far too long to fit beside a plot this short, at any font size";
      const fig = applyStyle(
        { ...LINES.figure, layout: { ...LINES.figure.layout, yaxis: { title: { text: long } } } },
        "paper",
      );
      const warnings: string[] = [];
      await renderer.toImages(fig, {
        formats: ["png"],
        id: "fx-long-label",
        warn: (w) => warnings.push(w),
      });
      assert.equal(warnings.length, 1);
      assert.match(
        warnings[0],
        /^figure "fx-long-label": text outside the 336×288 image: "a y-axis title far too long/,
      );
    });
  });
}
