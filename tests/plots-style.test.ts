/**
 * Presets, style options and the compact-preset refit (lib/plots/style.ts, lib/plots/fit.ts),
 * on fixtures and on every figure stored in the executed notebooks. The rendered layout is
 * checked in Chromium by tests/layout.test.ts.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as path from "path";
import {
  applyStyle,
  MIN_FONT_PT,
  PRESETS,
  PT_PER_PX,
  resolvedSpec,
  STYLE_PRESETS,
} from "../lib/plots/style";
import { DASH_CYCLE, textWidth } from "../lib/plots/fit";
import { trainingCurvesFigure } from "../lib/plots/dynamics";
import { phaseDiagramFigure } from "../lib/plots/threshold";
import type { PlotlyFigure } from "../lib/plots/figure";
import { collectFigures } from "../scripts/figures";
import { BARS, HEATMAP, LINES } from "./helpers/figureNotebooks";

const ROOT = path.resolve(__dirname, "..");
type Any = any;

const twoPanels = trainingCurvesFigure(
  [
    { name: "pass@1", steps: [0, 1, 2], J1: [0.6, 0.62, 0.63], Jk: [0.9, 0.9, 0.91] },
    { name: "pass@4", steps: [0, 1, 2], J1: [0.6, 0.55, 0.5], Jk: [0.9, 0.93, 0.95] },
  ],
  { k: 4 },
);
const phase = phaseDiagramFigure({
  deltas: [0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8],
  rhos: [0.05, 0.1, 0.2, 0.3],
  z: [0.05, 0.1, 0.2, 0.3].map(() => [2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 6, 12, null]),
  title: "k*",
  colorbarTitle: "k*",
});

describe("presets", () => {
  test("every preset's base and minimum font are at least 7 pt at print size (1 px = 0.75 pt)", () => {
    assert.equal(MIN_FONT_PT, 7);
    for (const p of STYLE_PRESETS) {
      const s = PRESETS[p];
      assert.ok(s.minFontSize * PT_PER_PX >= 7, `${p}: min ${s.minFontSize} px`);
      assert.ok(s.fontSize >= s.minFontSize, `${p}: base ${s.fontSize} px`);
    }
    assert.equal(PRESETS.paper.width / 96, 3.5, "paper: one 3.5 in column");
    assert.equal(PRESETS["paper-double"].width / 96, 7, "paper-double: 7 in text width");
    assert.equal(PRESETS.slide, PRESETS.slides, "slide is an alias of slides");
  });

  test("options: width keeps the aspect ratio, font size scales the titles, no title shrinks the top margin", () => {
    const w = resolvedSpec("paper", { width: 504 });
    assert.equal(w.width, 504);
    assert.equal(w.height, Math.round((288 * 504) / 336));
    assert.equal(w.fontSize, 10);
    const f = resolvedSpec("paper", { fontSize: 12 });
    assert.equal(f.fontSize, 12);
    assert.equal(f.titleSize, 13.2);
    const styled = applyStyle(LINES.figure, "paper", { title: false }) as Any;
    assert.equal(styled.layout.title, undefined);
    assert.ok(styled.layout.template.layout.margin.t < PRESETS.paper.margin.t);
    assert.equal((applyStyle(LINES.figure, "paper") as Any).layout.title.text, "Pass@k vs pass@1");
  });

  test("a font below the preset's minimum or an absurd width is refused, naming the option", () => {
    assert.throws(() => resolvedSpec("paper", { fontSize: 8 }, "applyStyle"), {
      name: "RangeError",
      message: /^applyStyle: fontSize must be in \[9\.4, 72\] px for preset paper \(7 pt/,
    });
    assert.throws(() => applyStyle(LINES.figure, "paper", { width: 50 }), /width must be/);
    assert.throws(() => resolvedSpec("slides", { fontSize: 12 }), /fontSize must be in \[18, 72\]/);
  });

  test("styling is idempotent in every preset, with and without options", () => {
    for (const fig of [LINES.figure, HEATMAP.figure, BARS.figure, twoPanels, phase]) {
      for (const p of STYLE_PRESETS) {
        for (const o of [{}, { width: 400, fontSize: 18, title: false }]) {
          const once = applyStyle(fig, p, o);
          assert.deepEqual(applyStyle(once, p, o), once, `${fig.builder} ${p}`);
          assert.deepEqual(applyStyle(applyStyle(fig, "notebook"), p, o), once, `via notebook`);
        }
      }
    }
  });
});

describe("compact refit", () => {
  test("side-by-side panels get a gap wide enough for the right panel's ticks and title", () => {
    const nb = applyStyle(twoPanels, "notebook").layout as Any;
    assert.deepEqual(nb.xaxis.domain, [0, 0.45], "the notebook preset keeps the builder's gap");
    const paper = applyStyle(twoPanels, "paper").layout as Any;
    const gapPx = (paper.xaxis2.domain[0] - paper.xaxis.domain[1]) * (336 - 44 - 8);
    assert.ok(gapPx >= 5 * 0.6 * 10 + 12 + 13, `gap ${gapPx.toFixed(0)} px`);
    assert.equal(paper.xaxis.domain[0], 0);
    assert.equal(paper.xaxis2.domain[1], 1);
  });

  test("legends go above the plot without a title; the figure title is pinned to the top", () => {
    const l = applyStyle(twoPanels, "paper").layout as Any;
    assert.equal(l.legend.orientation, "h");
    assert.equal(l.legend.yref, "container");
    assert.equal(l.legend.title.text, "");
    assert.equal(l.template.layout.title.yref, "container");
  });

  test("heatmap: category ticks thinned, never rotated; cell labels at the base font or dropped", () => {
    const fig = applyStyle(phase, "paper") as Any;
    assert.equal(fig.layout.xaxis.tickangle, 0);
    assert.ok(fig.layout.xaxis.dtick >= 2, "13 labels like 0.75 do not fit 336 px");
    assert.equal(fig.data[0].textfont.size, 10, "'12' and '–' fit a cell at 10 px");
    const long = structuredClone(phase) as Any;
    long.data[0].text = long.data[0].text.map((r: string[]) => r.map(() => "none"));
    assert.equal((applyStyle(long, "paper") as Any).data[0].texttemplate, "");
    assert.equal((applyStyle(phase, "notebook") as Any).data[0].textfont, undefined);
  });

  test("textWidth ignores HTML tags", () => {
    assert.equal(textWidth("J<sub>1</sub>", 10), textWidth("J1", 10));
  });

  test("log axes over 2–6 decades without ticks set get one label per decade, others are left alone", () => {
    const fig: PlotlyFigure = {
      data: [{ type: "scatter", x: [1, 10, 1000], y: [1, 2, 3] }],
      layout: { xaxis: { type: "log" }, yaxis: { type: "log", tickvals: [1, 2] } },
    };
    const l = applyStyle(fig, "notebook").layout as Any;
    assert.equal(l.xaxis.dtick, 1);
    assert.equal(l.yaxis.dtick, undefined);
    const narrow = { ...fig, data: [{ type: "scatter", x: [1, 20], y: [1, 2] }] } as PlotlyFigure;
    assert.equal((applyStyle(narrow, "notebook").layout as Any).xaxis.dtick, undefined);
  });
});

/** CIE L* of a #RRGGBB colour (greyscale lightness), or null for anything else. */
function lightness(c: unknown): number | null {
  if (typeof c !== "string" || !/^#[0-9a-f]{6}$/i.test(c)) return null;
  const lin = [1, 3, 5].map((i) => {
    const v = parseInt(c.slice(i, i + 2), 16) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  const y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  return y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (24389 / 27) * y;
}

describe("greyscale", () => {
  const { figures } = collectFigures(path.join(ROOT, "notebooks"));
  test("in every notebook figure, legend lines differ in dash style, by ≥ 20 in greyscale lightness or by ≥ 0.5 px in width", () => {
    const clashes: string[] = [];
    for (const { info, figure } of figures) {
      const lines = (applyStyle(figure, "paper").data as Any[]).filter(
        (t) =>
          (t.type ?? "scatter") === "scatter" &&
          String(t.mode ?? "lines").includes("lines") &&
          t.line?.width !== 0 &&
          t.showlegend !== false &&
          t.name,
      );
      for (let i = 0; i < lines.length; i++) {
        for (let j = i + 1; j < lines.length; j++) {
          const [a, b] = [lines[i], lines[j]];
          if ((a.line?.dash ?? "solid") !== (b.line?.dash ?? "solid")) continue;
          const [la, lb] = [lightness(a.line?.color), lightness(b.line?.color)];
          if (la !== null && lb !== null && Math.abs(la - lb) >= 20) continue;
          const width = (t: Any) => t.line?.width ?? PRESETS.paper.lineWidth;
          if (Math.abs(width(a) - width(b)) >= 0.5) continue;
          clashes.push(`${info.id}: "${a.name}" and "${b.name}"`);
        }
      }
    }
    assert.deepEqual(clashes, []);
  });

  test("lines alike in greyscale get different dashes, later entries move, stems stay solid", () => {
    const line = (name: string, color: string, extra: Any = {}): Any => ({
      type: "scatter",
      mode: "lines",
      name,
      y: [1, 2],
      ...extra,
      line: { color, ...(extra.line ?? {}) },
    });
    const fig: PlotlyFigure = {
      data: [
        line("stems", "#0072B2", { x: [0, 0, null] }),
        line("a", "#0072B2"),
        line("a", "#0072B2", { showlegend: false }),
        line("b", "#D55E00"),
        line("c", "#000000", { line: { dash: "dash" } }),
        line("d", "#56B4E9"),
        line("e", "#E69F00", { line: { dash: "dash" } }),
        { type: "scatter", name: "m", mode: "markers", y: [1] },
      ],
      layout: {},
    };
    const d = (applyStyle(fig, "notebook").data as Any[]).map((t) => t.line?.dash);
    // L*: blue 46, vermillion 54, black 0, sky blue 70, orange 71. a is like the stems (same
    // colour): dash; b is like both (solid, dash taken): dot; c (black) keeps its dash; d is
    // like b only (dot): stays solid; e is like b and d (dot, solid): keeps its dash.
    assert.deepEqual(d, [undefined, "dash", "dash", "dot", "dash", undefined, "dash", undefined]);
    assert.ok(DASH_CYCLE.includes("longdashdot"));
  });
});
