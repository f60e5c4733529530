/**
 * Figure style, figure checks, the figures command without a browser, and the snapshot
 * helper. (Rendering in Chromium is tested in tests/browser.test.ts.)
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import {
  applyStyle,
  COLORS,
  figureSize,
  PALETTE,
  PRESETS,
  ROLE_COLORS,
  STYLE_PRESETS,
} from "../lib/plots/style";
import type { PlotlyFigure } from "../lib/plots/figure";
import {
  bundleFor,
  CARTESIAN_TRACE_TYPES,
  checkFigure,
  PLOTLY_TRACE_TYPES,
} from "../lib/export/render";
import {
  collectFigures,
  exportFigures,
  indexMarkdown,
  standaloneHtml,
  writeFileAtomic,
} from "../scripts/figures";
import {
  BARS,
  HEATMAP,
  LINES,
  makeFixtureProject,
  NAN_ONLY,
  UNKNOWN_TYPE,
  writeNotebook,
} from "./helpers/figureNotebooks";
import { matchSnapshot, normalizeForSnapshot, roundSignificant } from "./helpers/snapshot";

const ROOT = path.resolve(__dirname, "..");
const tmpDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "passk-figtest-"));
const quiet = (): void => undefined;

// --- colour-vision simulation (Machado, Oliveira & Fernandes 2009, severity 1.0) ---
const CVD: Record<string, number[][]> = {
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};
const toLinear = (c: number): number => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
/** CIELAB (D65) of a hex colour after applying `m` to its linear RGB. */
function labOf(hex: string, m: number[][]): [number, number, number] {
  const rgb = [1, 3, 5].map((i) => toLinear(parseInt(hex.slice(i, i + 2), 16) / 255));
  const [r, g, b] = m.map((row) =>
    Math.min(1, Math.max(0, row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2])),
  );
  const xyz = [
    (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
    0.2126 * r + 0.7152 * g + 0.0722 * b,
    (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
  ];
  const f = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  const [fx, fy, fz] = xyz.map(f);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}
const deltaE = (a: string, b: string, m: number[][]): number => {
  const [p, q] = [labOf(a, m), labOf(b, m)];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
};

describe("figure style", () => {
  test("COLORS are the eight Okabe–Ito colours with the published RGB values", () => {
    // Okabe & Ito (2008), Color Universal Design, RGB 0–255.
    const published = [
      [0, 114, 178],
      [213, 94, 0],
      [0, 158, 115],
      [230, 159, 0],
      [204, 121, 167],
      [86, 180, 233],
      [0, 0, 0],
      [240, 228, 66],
    ];
    const hex = published.map(
      (rgb) => "#" + rgb.map((c) => c.toString(16).padStart(2, "0").toUpperCase()).join(""),
    );
    assert.deepEqual([...COLORS], hex);
    assert.equal(PALETTE.vermillion, "#D55E00");
  });

  test("the first six colours stay at least ΔE 15 apart under simulated protanopia, deuteranopia and tritanopia", () => {
    for (const [name, m] of Object.entries(CVD)) {
      for (let i = 0; i < 6; i++) {
        for (let j = i + 1; j < 6; j++) {
          const d = deltaE(COLORS[i], COLORS[j], m);
          assert.ok(d >= 15, `${name}: ${COLORS[i]} vs ${COLORS[j]} ΔE = ${d.toFixed(1)}`);
        }
      }
    }
  });

  test("role colour pairs (pass@1/pass@k, easy/hard, positive/negative) differ by ΔE ≥ 40 under every simulation", () => {
    const pairs = [
      [ROLE_COLORS.pass1, ROLE_COLORS.passK],
      [ROLE_COLORS.easy, ROLE_COLORS.hard],
      [ROLE_COLORS.positive, ROLE_COLORS.negative],
    ];
    for (const [name, m] of Object.entries({
      ...CVD,
      normal: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
    })) {
      for (const [a, b] of pairs) assert.ok(deltaE(a, b, m) >= 40, `${name}: ${a} vs ${b}`);
    }
  });

  test("the paper preset is one 3.5 in column wide and its smallest text is at least 7.5 pt", () => {
    const p = PRESETS.paper;
    assert.equal(p.width / 96, 3.5);
    assert.ok(p.fontSize * 0.75 >= 7.5, `${p.fontSize} px = ${p.fontSize * 0.75} pt`);
    assert.ok(PRESETS.slide.fontSize >= 18, "slide text readable from the back of a room");
  });

  test("applyStyle does not modify its input, and keeps what the builder set explicitly", () => {
    const fig = structuredClone(LINES.figure);
    const before = JSON.stringify(fig);
    const styled = applyStyle(fig, "paper");
    assert.equal(JSON.stringify(fig), before);
    assert.notEqual(styled.data, fig.data);
    assert.equal((styled.data[0] as any).line.color, ROLE_COLORS.pass1);
    assert.deepEqual(styled.layout.xaxis, { title: { text: "k" } });
    assert.deepEqual(styled.layout.template.layout.colorway, [...COLORS]);
    assert.equal(styled.builder, "fixtureLines");
    (styled.data[0] as any).y[0] = 99;
    assert.notEqual((fig.data[0] as any).y[0], 99, "data is deep-copied");
  });

  test("styling is idempotent, and re-styling a notebook-styled figure (what notebooks store) equals styling the unstyled one", () => {
    for (const a of ["notebook", "screen", "slides"] as const) {
      for (const b of STYLE_PRESETS) {
        assert.deepEqual(
          applyStyle(applyStyle(HEATMAP.figure, a), b),
          applyStyle(HEATMAP.figure, b),
          `${a} → ${b}`,
        );
      }
    }
  });

  test("applyStyle keeps typed arrays as typed arrays (copies, not views)", () => {
    const y = new Float64Array([1, 2, 3]);
    const styled = applyStyle({ data: [{ y } as any], layout: {} }, "notebook");
    const out = (styled.data[0] as any).y;
    assert.ok(out instanceof Float64Array);
    assert.notEqual(out, y);
    assert.deepEqual(Array.from(out), [1, 2, 3]);
  });

  test("the paper preset puts a free legend, or one placed below the plot, above the plot; one placed inside stays", () => {
    const free = applyStyle(LINES.figure, "paper").layout.legend as any;
    assert.equal(free.orientation, "h");
    assert.equal(free.yanchor, "top");
    assert.ok(free.y > 0.8 && free.y <= 1, `legend top at ${free.y} of the height`);
    const below = {
      ...LINES.figure,
      layout: { ...LINES.figure.layout, legend: { x: 0.5, y: -0.2, orientation: "h" as const } },
    };
    assert.equal((applyStyle(below, "paper").layout.legend as any).yanchor, "top");
    const inside = {
      ...LINES.figure,
      layout: { ...LINES.figure.layout, legend: { x: 0.98, y: 0.98, xanchor: "right" as const } },
    };
    assert.deepEqual(applyStyle(inside, "paper").layout.legend, inside.layout.legend);
    assert.deepEqual(
      applyStyle(below, "notebook").layout.legend,
      below.layout.legend,
      "the notebook preset keeps the builder's placement",
    );
  });

  test("applyStyle rejects an unknown preset and a non-figure, naming applyStyle", () => {
    assert.throws(
      () => applyStyle(LINES.figure, "poster" as any),
      /^RangeError: applyStyle: preset must be one of notebook \| screen \| paper \| paper-double \| slides, got "poster"/,
    );
    assert.throws(() => applyStyle(null as any, "paper"), /^TypeError: applyStyle: fig must be/);
  });

  test("figureSize takes explicit layout size first, then the style template, then 720 × 440", () => {
    assert.deepEqual(figureSize({ data: [], layout: {} }), { width: 720, height: 440 });
    assert.deepEqual(figureSize(applyStyle({ data: [], layout: {} }, "slide")), {
      width: 960,
      height: 540,
    });
    assert.deepEqual(figureSize(applyStyle({ data: [], layout: { height: 700 } }, "paper")), {
      width: 336,
      height: 700,
    });
  });
});

describe("checkFigure", () => {
  test("the trace-type list equals the trace types declared in plotly.js-dist's own typings", () => {
    const schema = fs.readFileSync(
      require.resolve("plotly.js-dist/src/types/generated/schema.d.ts"),
      "utf8",
    );
    const union = schema.slice(
      schema.indexOf("export type Data ="),
      schema.indexOf(";", schema.indexOf("export type Data =")),
    );
    const interfaces = [...union.matchAll(/Partial<(\w+)Data>/g)].map((m) => m[1]);
    const declared = interfaces.map((name) => {
      const body = schema.slice(schema.indexOf(`export interface ${name}Data `));
      return /\n {4}type\?: '(\w+)';/.exec(body)![1];
    });
    assert.deepEqual([...PLOTLY_TRACE_TYPES].sort(), declared.sort());
  });

  test("the cartesian bundle is the same plotly.js version, and its trace types are a subset of the full list", () => {
    const version = (pkg: string) => require(`${pkg}/package.json`).version;
    assert.equal(version("plotly.js-cartesian-dist-min"), version("plotly.js-dist-min"));
    assert.equal(version("plotly.js-dist"), version("plotly.js-dist-min"));
    for (const t of CARTESIAN_TRACE_TYPES) assert.ok(PLOTLY_TRACE_TYPES.has(t), t);
  });

  test("bundleFor picks the cartesian bundle only when every trace type is in it", () => {
    assert.equal(bundleFor(LINES.figure), "cartesian");
    assert.equal(bundleFor(HEATMAP.figure), "cartesian");
    assert.equal(bundleFor({ data: [], layout: {} }), "cartesian");
    assert.equal(
      bundleFor({ data: [{ y: [1] }, { type: "scatterpolar", r: [1] } as any], layout: {} }),
      "full",
    );
    assert.equal(bundleFor({ data: [{ type: "no-such-type" } as any], layout: {} }), "full");
  });

  test("well-formed figures pass, including empty traces, categories and heatmaps with gaps", () => {
    for (const f of [LINES, HEATMAP, BARS]) checkFigure(f.figure, f.info.id);
    checkFigure({ data: [{ type: "scatter", x: [], y: [] }], layout: {} }, "empty");
    checkFigure(
      {
        data: [
          {
            type: "heatmap",
            z: [
              [null, 1],
              [null, null],
            ],
          } as any,
        ],
      },
      "gaps",
    );
  });

  test("an unknown trace type is rejected with the figure id, trace index and type", () => {
    assert.throws(() => checkFigure(UNKNOWN_TYPE.figure, "fig-a"), {
      message: 'figure "fig-a": trace 0 has unknown trace type "scatterr"',
    });
  });

  test("NaN-only data is rejected after a JSON round trip (NaN becomes null)", () => {
    const stored = JSON.parse(JSON.stringify(NAN_ONLY.figure));
    assert.throws(
      () => checkFigure(NAN_ONLY.figure, "fig-b"),
      /^Error: figure "fig-b": trace 0: y has 3 entries but none is a finite number/,
    );
    assert.throws(() => checkFigure(stored, "fig-b"), /figure "fig-b": trace 0: y has 3 entries/);
  });

  test("a typed array that went through JSON.stringify is rejected", () => {
    const stored = JSON.parse(
      JSON.stringify({ data: [{ name: "w", y: new Float64Array([1, 2]) }] }),
    );
    assert.throws(
      () => checkFigure(stored, "fig-c"),
      /figure "fig-c": trace 0 \("w"\): y is an object with index keys/,
    );
  });

  test("a value that is not a figure is rejected", () => {
    assert.throws(
      () => checkFigure({ layout: {} }, "fig-d"),
      /figure "fig-d": is not a Plotly figure/,
    );
    assert.throws(
      () => checkFigure({ data: [5] }, "fig-d"),
      /figure "fig-d": trace 0 is not an object/,
    );
  });
});

describe("figures command (no browser)", () => {
  test("collectFigures finds figures in notebook order and fills in notebook and builder", () => {
    const root = makeFixtureProject();
    const { figures, problems } = collectFigures(path.join(root, "notebooks"));
    assert.deepEqual(problems, []);
    assert.deepEqual(
      figures.map((f) => [f.info.id, f.info.notebook, f.info.builder]),
      [
        ["fx-lines", "01-a.ipynb", "fixtureLines"],
        ["fx-kernel", "01-a.ipynb", "fixtureKernel"],
        ["fx-bars", "02-b.ipynb", "fixtureBars"],
      ],
    );
  });

  test("a duplicate id, a bad id and figure metadata without Plotly data are reported; the first duplicate is kept", () => {
    const dir = tmpDir();
    writeNotebook(path.join(dir, "a.ipynb"), [
      LINES,
      { ...BARS, info: { ...BARS.info, id: "Bad Id" } },
    ]);
    writeNotebook(path.join(dir, "b.ipynb"), [
      { ...HEATMAP, info: { ...HEATMAP.info, id: "fx-lines" } },
    ]);
    const nb = JSON.parse(fs.readFileSync(path.join(dir, "b.ipynb"), "utf8"));
    const out = structuredClone(nb.cells[1].outputs[1]);
    out.metadata.passk_figure.id = "no-data";
    delete out.data["application/vnd.plotly.v1+json"];
    nb.cells[1].outputs.push(out);
    fs.writeFileSync(path.join(dir, "b.ipynb"), JSON.stringify(nb));
    const { figures, problems } = collectFigures(dir);
    assert.deepEqual(
      figures.map((f) => [f.info.id, f.info.builder]),
      [["fx-lines", "fixtureLines"]],
    );
    assert.equal(problems.length, 3);
    assert.match(problems[0], /a\.ipynb, cell 2: figure id must match \[a-z0-9-\]\+, got "Bad Id"/);
    assert.match(
      problems[1],
      /figure "fx-lines": id used twice .*a\.ipynb, cell 1 and .*b\.ipynb, cell 1/,
    );
    assert.match(problems[2], /figure "no-data" .* no application\/vnd\.plotly\.v1\+json data/);
  });

  test("standalone HTML loads Plotly by the relative path ./plotly.min.js and nothing from the network", () => {
    const html = standaloneHtml(applyStyle(LINES.figure, "notebook"), {
      ...LINES.info,
      notebook: "01-a.ipynb",
    });
    const srcs = [...html.matchAll(/src="([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(srcs, ["plotly.min.js"]);
    assert.doesNotMatch(html, /https?:\/\//);
    assert.match(html, /<title>Pass@1 falls while pass@k rises \(fixture\)<\/title>/);
  });

  test("standalone HTML cannot be broken out of by a caption or a label containing </script>", () => {
    const fig: PlotlyFigure = {
      data: [{ y: [1], name: "</script><script>alert(1)</script>" }],
      layout: {},
    };
    const html = standaloneHtml(fig, { id: "x", caption: "a </script> b" });
    assert.equal(html.match(/<\/script>/g)!.length, 2, "only the two real closing tags");
    assert.match(html, /a &lt;\/script&gt; b/);
  });

  test("INDEX.md lists file → notebook → builder → caption, with only files that exist and pipes escaped", () => {
    const root = makeFixtureProject();
    const out = path.join(root, "figures");
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, "fx-kernel.svg"), "<svg/>");
    const { figures } = collectFigures(path.join(root, "notebooks"));
    const md = indexMarkdown(figures, out, "paper");
    assert.match(md, /^<!-- Generated by `npm run figures`/);
    assert.match(
      md,
      /\| fx-kernel \| \[svg\]\(fx-kernel\.svg\) \| 01-a\.ipynb \| `fixtureKernel` \| Interference kernel κ\(x, x′\) \\\| signed \(fixture\) \|/,
    );
    assert.match(md, /\| fx-bars \| \(not written\) \| 02-b\.ipynb \| `fixtureBars` \|/);
  });

  test("without Chromium: HTML and INDEX.md are written, one line says how to get static formats, exit 0", async () => {
    const root = makeFixtureProject();
    const out = path.join(root, "figures");
    const lines: string[] = [];
    const r = await exportFigures({
      notebooksDir: path.join(root, "notebooks"),
      outDir: out,
      preset: "notebook",
      executablePath: "none",
      log: (l) => lines.push(l),
    });
    assert.equal(r.exitCode, 0);
    assert.equal(r.staticAvailable, false);
    assert.deepEqual(fs.readdirSync(out).sort(), [
      "INDEX.md",
      "fx-bars.html",
      "fx-kernel.html",
      "fx-lines.html",
      "plotly.min.js",
    ]);
    assert.equal(lines.filter((l) => l.includes("apt-get install -y chromium")).length, 1);
    assert.ok(
      fs
        .readFileSync(path.join(out, "plotly.min.js"))
        .equals(fs.readFileSync(require.resolve("plotly.js-dist-min/plotly.min.js"))),
    );
  });

  test("a malformed figure fails with a message naming it, the others are still written, exit code 1", async () => {
    const root = makeFixtureProject([UNKNOWN_TYPE, NAN_ONLY]);
    const out = path.join(root, "figures");
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, "fx-bad-nan.svg"), "stale from an earlier run");
    const lines: string[] = [];
    const r = await exportFigures({
      notebooksDir: path.join(root, "notebooks"),
      outDir: out,
      preset: "paper",
      renderer: null,
      log: (l) => lines.push(l),
    });
    assert.equal(r.exitCode, 1);
    assert.deepEqual(r.written, ["fx-lines", "fx-kernel", "fx-bars"]);
    assert.equal(r.errors.length, 2);
    assert.match(r.errors[0], /^figure "fx-bad-type": trace 0 has unknown trace type "scatterr"/);
    assert.match(r.errors[1], /^figure "fx-bad-nan": /);
    assert.ok(lines.some((l) => l.startsWith('error: figure "fx-bad-type"')));
    assert.ok(
      !fs.existsSync(path.join(out, "fx-bad-nan.svg")),
      "stale output of a failing figure is removed",
    );
  });

  test("--only exports just the named figures and reports an unknown id", async () => {
    const root = makeFixtureProject();
    const out = path.join(root, "figures");
    const r = await exportFigures({
      notebooksDir: path.join(root, "notebooks"),
      outDir: out,
      preset: "slide",
      only: ["fx-bars", "nope"],
      renderer: null,
      log: quiet,
    });
    assert.deepEqual(r.written, ["fx-bars"]);
    assert.deepEqual(r.errors, [`figure "nope": not found in ${path.join(root, "notebooks")}`]);
    assert.ok(!fs.existsSync(path.join(out, "fx-lines.html")));
    assert.match(
      fs.readFileSync(path.join(out, "INDEX.md"), "utf8"),
      /\| fx-lines \| \(not written\)/,
    );
  });

  test("--only leaves the other figures' INDEX.md rows as they were, even when their HTML is absent (a fresh clone)", async () => {
    const root = makeFixtureProject();
    const out = path.join(root, "figures");
    const opts = {
      notebooksDir: path.join(root, "notebooks"),
      outDir: out,
      preset: "slide" as const,
    };
    await exportFigures({ ...opts, renderer: null, log: quiet });
    const before = fs.readFileSync(path.join(out, "INDEX.md"), "utf8");
    assert.match(before, /\| fx-lines \| \[html\]\(fx-lines\.html\)/);
    fs.rmSync(path.join(out, "fx-lines.html")); // gitignored: absent after a clone
    const r = await exportFigures({ ...opts, only: ["fx-bars"], renderer: null, log: quiet });
    assert.deepEqual(r.written, ["fx-bars"]);
    assert.equal(fs.readFileSync(path.join(out, "INDEX.md"), "utf8"), before);
    // a full export lists what is on disk again
    fs.rmSync(path.join(out, "fx-lines.html"), { force: true });
    await exportFigures({ ...opts, renderer: null, log: quiet });
    assert.match(fs.readFileSync(path.join(out, "INDEX.md"), "utf8"), /\| fx-lines \| \[html\]/);
  });

  test("the CLI exits non-zero with --require-static when Chromium is missing, and 2 on a bad option", () => {
    const root = makeFixtureProject();
    const run = (...args: string[]) =>
      spawnSync(
        process.execPath,
        [
          "--import",
          "tsx",
          "scripts/figures.ts",
          "--notebooks",
          path.join(root, "notebooks"),
          ...args,
        ],
        {
          cwd: ROOT,
          env: { ...process.env, CHROMIUM_PATH: "none" },
          encoding: "utf8",
        },
      );
    const out = path.join(root, "out");
    const strict = run("--require-static", "--out", out);
    assert.equal(strict.status, 1, strict.stderr);
    assert.ok(
      strict.stdout.includes(`figures: 3/3 written to ${out} (html; preset notebook)`),
      strict.stdout,
    );
    assert.match(strict.stdout, /apt-get install -y chromium/);
    assert.ok(fs.existsSync(path.join(root, "out", "fx-lines.html")));
    const bad = run("--preset", "poster");
    assert.equal(bad.status, 2);
    assert.match(
      bad.stderr,
      /--preset must be one of notebook \| screen \| paper \| paper-double \| slides, got "poster"/,
    );
  });

  test("files of a figure the notebooks no longer show are removed, other files in the folder are not", async () => {
    const root = makeFixtureProject();
    const out = path.join(root, "figures");
    await exportFigures({
      notebooksDir: path.join(root, "notebooks"),
      outDir: out,
      preset: "notebook",
      renderer: null,
      log: quiet,
    });
    fs.writeFileSync(path.join(out, "notes.txt"), "mine");
    writeNotebook(path.join(root, "notebooks", "02-b.ipynb"), []);
    const lines: string[] = [];
    const r = await exportFigures({
      notebooksDir: path.join(root, "notebooks"),
      outDir: out,
      preset: "notebook",
      renderer: null,
      log: (l) => lines.push(l),
    });
    assert.deepEqual(r.written, ["fx-lines", "fx-kernel"]);
    assert.ok(!fs.existsSync(path.join(out, "fx-bars.html")));
    assert.ok(fs.existsSync(path.join(out, "notes.txt")));
    assert.ok(lines.includes('figures: removed files of "fx-bars", no longer in the notebooks'));
  });

  test("writeFileAtomic replaces a file and leaves no temp file behind", () => {
    const dir = tmpDir();
    const file = path.join(dir, "a.txt");
    writeFileAtomic(file, "one");
    writeFileAtomic(file, "two");
    assert.equal(fs.readFileSync(file, "utf8"), "two");
    assert.deepEqual(fs.readdirSync(dir), ["a.txt"]);
  });
});

describe("snapshot helper", () => {
  test("numbers are rounded to 6 significant digits, -0 to 0, NaN and infinities to strings", () => {
    assert.equal(roundSignificant(1 / 3), 0.333333);
    assert.equal(roundSignificant(123456789), 123457000);
    assert.equal(roundSignificant(-2.0000004e-12), -2e-12);
    assert.ok(Object.is(roundSignificant(-0), 0));
    assert.deepEqual(
      normalizeForSnapshot({ b: [NaN, Infinity, -Infinity], a: new Float32Array([0.1]) }),
      {
        a: [0.1],
        b: ["NaN", "Infinity", "-Infinity"],
      },
    );
    assert.deepEqual(Object.keys(normalizeForSnapshot({ z: 1, a: 2 }) as object), ["a", "z"]);
  });

  test("a missing snapshot is created and then matches; a tiny float difference below 6 digits still matches", () => {
    const dir = tmpDir();
    matchSnapshot("fig", { y: [0.1 + 0.2] }, { dir, ci: false });
    assert.equal(
      fs.readFileSync(path.join(dir, "fig.json"), "utf8"),
      '{\n  "y": [\n    0.3\n  ]\n}\n',
    );
    matchSnapshot("fig", { y: [0.3000000001] }, { dir, ci: false });
  });

  test("a change fails with the first differing path and writes <name>-changed.json; UPDATE accepts it", () => {
    const dir = tmpDir();
    matchSnapshot("fig", { data: [{ y: [1, 2, 3] }] }, { dir, ci: false });
    assert.throws(() => matchSnapshot("fig", { data: [{ y: [1, 2.5, 3] }] }, { dir, ci: false }), {
      message:
        /^snapshot "fig" changed at \$\.data\[0\]\.y\[1\]: 2 → 2\.5\n {2}review: diff .*fig\.json .*fig-changed\.json/,
    });
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "fig-changed.json"), "utf8")), {
      data: [{ y: [1, 2.5, 3] }],
    });
    matchSnapshot("fig", { data: [{ y: [1, 2.5, 3] }] }, { dir, update: true });
    assert.ok(!fs.existsSync(path.join(dir, "fig-changed.json")));
    matchSnapshot("fig", { data: [{ y: [1, 2.5, 3] }] }, { dir, ci: false });
  });

  test("in CI a missing snapshot fails instead of silently passing", () => {
    const dir = tmpDir();
    assert.throws(
      () => matchSnapshot("new-fig", { a: 1 }, { dir, ci: true }),
      /snapshot "new-fig" is missing/,
    );
  });
});
