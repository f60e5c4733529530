/**
 * Layout of every figure in every preset, checked in Chromium: no two texts overlap, no text
 * is cut off by the image edge, no font is below the preset's minimum (7 pt at print size).
 *
 * The figures are the ones `npm run figures` exports: the Plotly specs stored in the executed
 * notebooks' outputs (notebooks/*.ipynb, collected by scripts/figures.ts), re-styled with
 * `applyStyle` for each preset. Builder changes reach these specs when the notebooks are
 * re-executed; style and refit changes (lib/plots/style.ts, fit.ts) reach them at once.
 *
 * Needs Debian's chromium. Without it the suite FAILS when CI=true and is skipped locally.
 */
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as path from "path";
import { applyStyle, presetSpec, STYLE_PRESETS } from "../lib/plots/style";
import type { PlotlyFigure } from "../lib/plots/figure";
import { findChromium } from "../lib/export/render";
import { collectFigures } from "../scripts/figures";
import {
  layoutProblems,
  openLayoutPage,
  overlapDepth,
  type LayoutPage,
  type Measured,
  type Point,
} from "./helpers/layoutCheck";

const ROOT = path.resolve(__dirname, "..");
const chromiumPath = findChromium();
const inCI = /^(1|true)$/i.test(process.env.CI ?? "");

const rect = (x: number, y: number, w: number, h: number): Point[] => [
  [x, y],
  [x + w, y],
  [x + w, y + h],
  [x, y + h],
];

describe("layout checks (pure)", () => {
  test("overlapDepth: apart, touching, overlapping, and rotated boxes", () => {
    assert.equal(overlapDepth(rect(0, 0, 10, 10), rect(20, 0, 10, 10)), 0);
    assert.equal(overlapDepth(rect(0, 0, 10, 10), rect(10, 0, 10, 10)), 0);
    assert.equal(overlapDepth(rect(0, 0, 10, 10), rect(7, 2, 10, 10)), 3);
    // A box rotated 45° about (15, 5) whose corner points at the first box: the bounding
    // squares overlap, the boxes do not.
    const c = Math.SQRT1_2;
    const diamond: Point[] = [
      [15 - 5 * c * 2, 5],
      [15, 5 - 5 * c * 2],
      [15 + 5 * c * 2, 5],
      [15, 5 + 5 * c * 2],
    ];
    assert.equal(overlapDepth(rect(0, -20, 7.8, 10), diamond), 0);
    assert.ok(overlapDepth(rect(0, 0, 10, 10), diamond) > 0);
  });

  test("layoutProblems names overlapping, cut-off and too-small texts", () => {
    const m: Measured = {
      id: "fx",
      width: 100,
      height: 50,
      boxes: [
        { text: "alpha", corners: rect(10, 10, 30, 12), fontPx: 10, scriptPx: null },
        { text: "beta", corners: rect(30, 12, 30, 12), fontPx: 10, scriptPx: null },
        { text: "gamma", corners: rect(90, 40, 30, 12), fontPx: 10, scriptPx: 5 },
        { text: "tiny", corners: rect(0, 30, 10, 6), fontPx: 6, scriptPx: null },
      ],
    };
    const p = layoutProblems(m, 9.4);
    assert.ok(
      p.some((s) => /^texts overlap by .* "alpha" and "beta"/.test(s)),
      p.join("\n"),
    );
    assert.ok(p.some((s) => /^text cut off by the 100×50 image: "gamma"/.test(s)));
    assert.ok(p.some((s) => /^font 6\.0 px < 9\.4 px: "tiny"/.test(s)));
    assert.ok(p.some((s) => /^sub\/superscript 5\.0 px < 6\.6 px: "gamma"/.test(s)));
    const fine: Measured = { ...m, boxes: [m.boxes[0]] };
    assert.deepEqual(layoutProblems(fine, 9.4), []);
  });
});

if (chromiumPath === null) {
  const why = "no Chromium found (apt-get install -y chromium)";
  if (inCI) test("layout in Chromium", () => assert.fail(`${why}; CI needs it`));
  else test(`layout in Chromium (skipped: ${why})`, { skip: why }, () => undefined);
} else {
  describe("layout in Chromium", () => {
    let page: LayoutPage;
    before(async () => {
      page = await openLayoutPage(chromiumPath);
    });
    after(async () => {
      await page?.close();
    });

    test("test of the test: a figure with overlapping, cut-off and tiny text fails", async () => {
      const bad: PlotlyFigure = {
        data: [{ type: "scatter", x: [0, 1], y: [0, 1] }],
        layout: {
          title: { text: "a title" },
          annotations: [
            { text: "first label", x: 0.5, y: 0.5, showarrow: false },
            { text: "second label", x: 0.52, y: 0.5, showarrow: false },
            { text: "tiny", x: 0.1, y: 0.9, showarrow: false, font: { size: 5 } },
            {
              text: "a label pushed off the right edge",
              x: 1.3,
              xref: "paper",
              y: 0.2,
              showarrow: false,
            },
          ],
        },
      };
      const styled = applyStyle(bad, "notebook");
      const [m] = await page.measure([{ id: "fx-overlap", fig: styled }]);
      const problems = layoutProblems(m, presetSpec("notebook").minFontSize);
      const has = (re: RegExp) => problems.some((p) => re.test(p));
      assert.ok(has(/texts overlap .*"first label" and "second label"/), problems.join("\n"));
      assert.ok(has(/text cut off .*"a label pushed off/), problems.join("\n"));
      assert.ok(has(/font 5\.0 px < .*"tiny"/), problems.join("\n"));
      // and the same figure without the problems passes
      const good = applyStyle(
        { ...bad, layout: { ...bad.layout, annotations: [] } } as PlotlyFigure,
        "notebook",
      );
      const [ok] = await page.measure([{ id: "fx-ok", fig: good }]);
      assert.ok(ok.boxes.length >= 5, `measured ${ok.boxes.length} texts`);
      assert.deepEqual(layoutProblems(ok, presetSpec("notebook").minFontSize), []);
    });

    // PASSK_LAYOUT_NOTEBOOKS=DIR checks the figures of notebooks executed elsewhere (e.g. a copy
    // re-run with changed builders) instead of the committed ones.
    const nbDir = process.env.PASSK_LAYOUT_NOTEBOOKS ?? path.join(ROOT, "notebooks");
    const { figures, problems } = collectFigures(nbDir);
    test("the notebooks' figures are collected without problems", () => {
      assert.deepEqual(problems, []);
      assert.ok(
        figures.length >= (process.env.PASSK_LAYOUT_NOTEBOOKS ? 1 : 20),
        `${figures.length}`,
      );
    });

    for (const preset of STYLE_PRESETS) {
      test(`preset ${preset}: no text overlaps or is cut off, no font below the minimum, in every figure`, async () => {
        const minFont = presetSpec(preset).minFontSize;
        const measured = await page.measure(
          figures.map((f) => ({ id: f.info.id, fig: applyStyle(f.figure, preset) })),
        );
        const failures = measured.flatMap((m) => {
          const p = layoutProblems(m, minFont);
          return p.length === 0 ? [] : [`${m.id} (${preset}):\n    ${p.join("\n    ")}`];
        });
        assert.ok(
          measured.every((m) => m.boxes.length > 0),
          "every figure has text",
        );
        assert.deepEqual(failures, [], `\n  ${failures.join("\n  ")}`);
      });
    }
  });
}
