/**
 * The export `npm start` runs beside the notebooks (scripts/figureExport.ts): each notebook's
 * figures are exported as soon as it is written, and the final `exportFigures` reuses what is
 * unchanged. Checked against one export at the end (the files and INDEX.md it writes), with a
 * recording stand-in for Chromium so that what is rendered when can be seen.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { exportFigures } from "../scripts/figures";
import { EARLY_BATCH_FIGURES, startEarlyExport } from "../scripts/figureExport";
import type { BatchItem, BatchOptions, Renderer } from "../lib/export/render";
import { applyStyle, type StylePreset } from "../lib/plots/style";
import { BARS, LINES, makeFixtureProject, writeNotebook } from "./helpers/figureNotebooks";

const quiet = (): void => undefined;
const preset: StylePreset = "notebook";

/** A renderer that records its batches and returns each figure's data as its "images". */
function recordingRenderer(
  hooks: { onBatch?: (ids: string[]) => void; warnFor?: string } = {},
): Renderer & { batches: string[][] } {
  const batches: string[][] = [];
  const renderBatch = async (items: readonly BatchItem[], opts: BatchOptions) => {
    const ids = items.map((it) => it.id);
    batches.push(ids);
    hooks.onBatch?.(ids);
    return items.map((it) => {
      if (it.id === hooks.warnFor) opts.warn?.(`figure "${it.id}": text outside`, it.id);
      const body = Buffer.from(JSON.stringify(it.fig.data));
      return { id: it.id, images: Object.fromEntries(opts.formats.map((f) => [f, body])) };
    });
  };
  return {
    batches,
    renderBatch,
    timings: () => ({ plot: 0, svg: 0, png: 0, pdf: 0 }),
    executablePath: "fake",
    plotlyVersion: "fake",
    bundle: "cartesian",
  } as unknown as Renderer & { batches: string[][] };
}

/** Every file of a folder with its bytes. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]),
  );
}

/** Early export of `order` (notebook file names), then the final export reusing it. */
async function earlyThenFinal(root: string, order: string[], renderer: Renderer | null) {
  const nbDir = path.join(root, "notebooks");
  const out = path.join(root, "figures");
  const early = startEarlyExport({
    outDir: out,
    preset,
    getRenderer: async () => renderer,
    stopped: () => false,
  });
  for (const name of order) early.add(path.join(nbDir, name), figureIdsOf(nbDir, name));
  const done = await early.settle();
  const lines: string[] = [];
  const result = await exportFigures({
    notebooksDir: nbDir,
    outDir: out,
    preset,
    renderer,
    done,
    log: (l) => lines.push(l),
  });
  return { result, lines, out, nbDir, done };
}

function figureIdsOf(nbDir: string, name: string): string[] {
  const nb = JSON.parse(fs.readFileSync(path.join(nbDir, name), "utf8"));
  return nb.cells.flatMap((c: any) =>
    (c.outputs ?? []).flatMap((o: any) =>
      o.metadata?.passk_figure ? [o.metadata.passk_figure.id] : [],
    ),
  );
}

describe("figures exported as each notebook is written", () => {
  test("give the same files, INDEX.md and result as one export at the end, and are not rendered twice", async () => {
    const plain = makeFixtureProject();
    const atEnd = recordingRenderer();
    const r0 = await exportFigures({
      notebooksDir: path.join(plain, "notebooks"),
      outDir: path.join(plain, "figures"),
      preset,
      renderer: atEnd,
      log: quiet,
    });
    const root = makeFixtureProject();
    const renderer = recordingRenderer();
    // 02-b finishes first (two notebooks at a time)
    const { result, out } = await earlyThenFinal(root, ["02-b.ipynb", "01-a.ipynb"], renderer);
    assert.deepEqual(snapshot(out), snapshot(path.join(plain, "figures")));
    assert.deepEqual(result.written, r0.written);
    assert.deepEqual(result.errors, r0.errors);
    assert.equal(result.exitCode, 0);
    assert.deepEqual(renderer.batches.flat().sort(), ["fx-bars", "fx-kernel", "fx-lines"]);
  });

  test("notebooks queued while Chromium starts go into one batch (one print)", async () => {
    const root = makeFixtureProject();
    const renderer = recordingRenderer();
    await earlyThenFinal(root, ["01-a.ipynb", "02-b.ipynb"], renderer);
    assert.deepEqual(renderer.batches, [["fx-lines", "fx-kernel", "fx-bars"]]);
  });

  test("a batch stops short of EARLY_BATCH_FIGURES, so a notebook's own PNGs never wait long", async () => {
    const root = makeFixtureProject();
    const many = Array.from({ length: EARLY_BATCH_FIGURES - 1 }, (_, i) => ({
      ...BARS,
      info: { ...BARS.info, id: `fx-many-${i}` },
    }));
    writeNotebook(path.join(root, "notebooks", "03-c.ipynb"), many);
    const renderer = recordingRenderer();
    await earlyThenFinal(root, ["01-a.ipynb", "03-c.ipynb", "02-b.ipynb"], renderer);
    assert.deepEqual(
      renderer.batches.map((b) => b.length),
      [2, EARLY_BATCH_FIGURES - 1 + 1],
    );
  });

  test("a figure whose notebook changed after its export is rendered again at the end", async () => {
    const root = makeFixtureProject();
    const nbDir = path.join(root, "notebooks");
    const out = path.join(root, "figures");
    const changed = {
      ...BARS,
      figure: { ...BARS.figure, data: [{ type: "bar" as const, y: [9, 9] }] },
    };
    const renderer = recordingRenderer();
    const early = startEarlyExport({
      outDir: out,
      preset,
      getRenderer: async () => renderer,
      stopped: () => false,
    });
    early.add(path.join(nbDir, "02-b.ipynb"), ["fx-bars"]);
    const done = await early.settle();
    writeNotebook(path.join(nbDir, "02-b.ipynb"), [changed]);
    const r = await exportFigures({
      notebooksDir: nbDir,
      outDir: out,
      preset,
      renderer,
      done,
      log: quiet,
    });
    assert.deepEqual(renderer.batches, [["fx-bars"], ["fx-lines", "fx-kernel", "fx-bars"]]);
    assert.deepEqual(r.written, ["fx-lines", "fx-kernel", "fx-bars"]);
    assert.equal(
      fs.readFileSync(path.join(out, "fx-bars.svg"), "utf8"),
      '[{"type":"bar","y":[9,9]}]',
    );
  });

  test("an id shown by two notebooks ends with the first notebook's figure, whichever finished last", async () => {
    for (const order of [
      ["01-a.ipynb", "02-b.ipynb"],
      ["02-b.ipynb", "01-a.ipynb"],
    ]) {
      const root = makeFixtureProject([{ ...BARS, info: { ...BARS.info, id: "fx-lines" } }]);
      const renderer = recordingRenderer();
      const { result, out } = await earlyThenFinal(root, order, renderer);
      assert.equal(
        fs.readFileSync(path.join(out, "fx-lines.svg"), "utf8"),
        JSON.stringify(applyStyle(LINES.figure, preset).data),
        order.join(" then "),
      );
      assert.equal(result.errors.filter((e) => /id used twice/.test(e)).length, 1);
    }
  });

  test("a warning from the early render is reported by the final export", async () => {
    const root = makeFixtureProject();
    const renderer = recordingRenderer({ warnFor: "fx-kernel" });
    const { result, lines } = await earlyThenFinal(root, ["01-a.ipynb"], renderer);
    assert.deepEqual(result.warnings, ['figure "fx-kernel": text outside']);
    assert.ok(lines.includes('warning: figure "fx-kernel": text outside'));
  });

  test("without Chromium the HTML files and INDEX.md equal one export at the end", async () => {
    const plain = makeFixtureProject();
    await exportFigures({
      notebooksDir: path.join(plain, "notebooks"),
      outDir: path.join(plain, "figures"),
      preset,
      renderer: null,
      log: quiet,
    });
    const { result, out } = await earlyThenFinal(makeFixtureProject(), ["01-a.ipynb"], null);
    assert.deepEqual(snapshot(out), snapshot(path.join(plain, "figures")));
    assert.equal(result.staticAvailable, false);
  });

  test("once stopped (Ctrl-C), a batch being rendered writes nothing and later ones do not run", async () => {
    const root = makeFixtureProject();
    const nbDir = path.join(root, "notebooks");
    const out = path.join(root, "figures");
    let stopped = false;
    const renderer = recordingRenderer({ onBatch: () => (stopped = true) });
    const early = startEarlyExport({
      outDir: out,
      preset,
      getRenderer: async () => renderer,
      stopped: () => stopped,
    });
    early.add(path.join(nbDir, "01-a.ipynb"), ["fx-lines", "fx-kernel"]);
    const first = early.settle();
    await first;
    early.add(path.join(nbDir, "02-b.ipynb"), ["fx-bars"]);
    const done = await early.settle();
    assert.deepEqual(renderer.batches, [["fx-lines", "fx-kernel"]]);
    assert.deepEqual(
      fs.readdirSync(out).filter((f) => f.startsWith("fx-")),
      [],
      "no figure file written",
    );
    assert.equal([...done.outcomes.values()].filter((o) => o.written).length, 0);
  });
});
