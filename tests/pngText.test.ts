/**
 * PNG text chunks (lib/export/pngText.ts) and the figure export's use of them: figures/<id>.png
 * carries what it was rendered from, and an unchanged figure's PNG is not rendered again.
 * The chunk layout is checked with a CRC-32 written here from the PNG specification (Annex D),
 * not with the zlib function the code uses, and on a PNG Chromium made (a committed figure).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isPng, readPngText, withPngText } from "../lib/export/pngText";
import { exportBatch, PNG_SOURCE_KEYWORD, pngSource } from "../scripts/figureExport";
import type { BatchItem, BatchOptions, Renderer } from "../lib/export/render";
import { applyStyle } from "../lib/plots/style";
import type { CollectedFigure } from "../scripts/figureFiles";

/** CRC-32 of the PNG specification, Annex D (bitwise, polynomial 0xEDB88320). */
function specCrc(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Chunk types in order, asserting each chunk's CRC against the specification's. */
function chunkTypes(png: Buffer): string[] {
  const types: string[] = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const typeAndData = png.subarray(at + 4, at + 8 + length);
    assert.equal(png.readUInt32BE(at + 8 + length), specCrc(typeAndData), `CRC at ${at}`);
    types.push(typeAndData.toString("latin1", 0, 4));
    at += 12 + length;
  }
  assert.equal(at, png.length, "chunks end exactly at the end of the file");
  return types;
}

/** `png` without its tEXt chunks (walked here, independently of lib/export/pngText.ts). */
function withoutText(png: Buffer): Buffer {
  const parts = [png.subarray(0, 8)];
  for (let at = 8; at < png.length;) {
    const end = at + 12 + png.readUInt32BE(at);
    if (png.toString("latin1", at + 4, at + 8) !== "tEXt") parts.push(png.subarray(at, end));
    at = end;
  }
  return Buffer.concat(parts);
}

const ROOT = path.join(__dirname, "..");
const committed = fs.readFileSync(path.join(ROOT, "figures", "03-kernel-heatmap.png"));
/** The committed PNG as Chromium wrote it, before the export stamped it. */
const rendered = withoutText(committed);

describe("PNG text chunks", () => {
  test("the committed figures are stamped with a sha-256 source", () => {
    assert.match(readPngText(committed, PNG_SOURCE_KEYWORD) ?? "", /^[0-9a-f]{64}$/);
    assert.equal(readPngText(rendered, PNG_SOURCE_KEYWORD), undefined);
  });

  test("a stamped Chromium PNG keeps every chunk, gains one valid tEXt before IEND, reads back", () => {
    assert.ok(isPng(rendered));
    const before = chunkTypes(rendered);
    const stamped = withPngText(rendered, "passk-source", "abc123");
    const after = chunkTypes(stamped);
    assert.deepEqual(after.slice(-2), ["tEXt", "IEND"]);
    assert.deepEqual(after, [...before.slice(0, -1), "tEXt", "IEND"]);
    assert.equal(readPngText(stamped, "passk-source"), "abc123");
    assert.equal(readPngText(stamped, "other"), undefined);
    // stamping again replaces the text instead of adding a second chunk
    const again = withPngText(stamped, "passk-source", "def456");
    assert.equal(
      chunkTypes(again).filter((t) => t === "tEXt").length,
      after.filter((t) => t === "tEXt").length,
    );
    assert.equal(readPngText(again, "passk-source"), "def456");
    // every byte before IEND is kept as it was
    const body = rendered.length - 12;
    assert.ok(stamped.subarray(0, body).equals(rendered.subarray(0, body)));
  });

  test("anything that is not a PNG comes back unchanged and has no text", () => {
    const notPng = Buffer.from("not a png at all");
    assert.equal(withPngText(notPng, "k", "v"), notPng);
    assert.equal(readPngText(notPng, "k"), undefined);
    assert.throws(() => withPngText(committed, "", "v"), /keyword/);
  });
});

describe("figure export: an unchanged figure's PNG is not rendered again", () => {
  const figure: CollectedFigure = {
    info: { id: "t-fig", caption: "c", notebook: "t.ipynb", builder: "b" },
    figure: { data: [{ type: "scatter", x: [0, 1], y: [0, 1] }], layout: {} },
  } as unknown as CollectedFigure;

  /** A stand-in renderer returning a real PNG per requested format, recording what it was asked. */
  function renderer(asked: { id: string; formats: string[] }[]): Renderer {
    return {
      plotlyVersion: "4.1.1",
      renderBatch: async (items: readonly BatchItem[], opts: BatchOptions) =>
        items.map((it) => {
          const formats = opts.formats.filter((f) => !it.skip?.includes(f));
          asked.push({ id: it.id, formats });
          return { id: it.id, images: Object.fromEntries(formats.map((f) => [f, committed])) };
        }),
    } as unknown as Renderer;
  }

  test("stamped on first export; skipped while unchanged; rendered again when the figure changes", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "passk-pngtext-"));
    try {
      const asked: { id: string; formats: string[] }[] = [];
      const ctx = {
        outDir: out,
        preset: "notebook" as const,
        wanted: ["html", "png", "svg"] as const,
        renderer: renderer(asked),
      };
      await exportBatch([figure], { ...ctx, wanted: [...ctx.wanted] });
      const file = path.join(out, "t-fig.png");
      const source = pngSource(applyStyle(figure.figure, "notebook"), "4.1.1");
      assert.equal(readPngText(fs.readFileSync(file), PNG_SOURCE_KEYWORD), source);
      assert.deepEqual(asked[0].formats, ["svg", "png"]);
      const bytes = fs.readFileSync(file);

      await exportBatch([figure], { ...ctx, wanted: [...ctx.wanted] });
      assert.deepEqual(asked[1].formats, ["svg"], "an unchanged figure: no PNG asked");
      assert.ok(fs.readFileSync(file).equals(bytes), "and its PNG kept as it was");

      const changed = {
        ...figure,
        figure: { ...figure.figure, layout: { title: { text: "new" } } },
      };
      await exportBatch([changed as CollectedFigure], { ...ctx, wanted: [...ctx.wanted] });
      assert.deepEqual(asked[2].formats, ["svg", "png"], "a changed figure is rendered");
      assert.notEqual(readPngText(fs.readFileSync(file), PNG_SOURCE_KEYWORD), source);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
