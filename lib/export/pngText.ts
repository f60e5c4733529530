/**
 * A text chunk in a PNG file (PNG specification §11.3.4.3, `tEXt`): the figure export stamps each
 * figures/<id>.png with what it was rendered from (a hash of the styled figure), so a later run
 * whose figure is unchanged keeps the file instead of rendering it again.
 *
 * A chunk is length (4 bytes, big-endian) · type (4) · data · CRC-32 of type and data (4).
 * `tEXt` data is `keyword NUL text` in Latin-1; decoders ignore chunks they do not need.
 */
import * as zlib from "zlib";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Whether `buf` starts with the PNG signature. */
export function isPng(buf: Uint8Array): boolean {
  return buf.length >= SIGNATURE.length && SIGNATURE.equals(buf.subarray(0, SIGNATURE.length));
}

/** Each chunk's type and the offsets of its data; stops at IEND or at a truncated chunk. */
function chunks(png: Buffer): { type: string; start: number; data: number; end: number }[] {
  const out: { type: string; start: number; data: number; end: number }[] = [];
  let at = SIGNATURE.length;
  while (at + 12 <= png.length) {
    const length = png.readUInt32BE(at);
    const end = at + 12 + length;
    if (end > png.length) break;
    const type = png.toString("latin1", at + 4, at + 8);
    out.push({ type, start: at, data: at + 8, end });
    if (type === "IEND") break;
    at = end;
  }
  return out;
}

/**
 * `png` with a `tEXt` chunk `keyword` = `text` just before IEND, replacing any earlier chunk with
 * that keyword. Anything that is not a PNG with an IEND comes back unchanged.
 */
export function withPngText(png: Buffer, keyword: string, text: string): Buffer {
  if (!/^[\x20-\x7e]{1,79}$/.test(keyword)) throw new RangeError(`bad PNG keyword ${keyword}`);
  if (!isPng(png)) return png;
  const all = chunks(png);
  const iend = all.find((c) => c.type === "IEND");
  if (!iend) return png;
  const data = Buffer.concat([
    Buffer.from("tEXt", "latin1"),
    Buffer.from(keyword, "latin1"),
    Buffer.from([0]),
    Buffer.from(text, "latin1"),
  ]);
  const chunk = Buffer.alloc(data.length + 8);
  chunk.writeUInt32BE(data.length - 4, 0);
  data.copy(chunk, 4);
  chunk.writeUInt32BE(zlib.crc32(data), data.length + 4);
  const kept = all
    .filter((c) => c.type !== "IEND" && textOf(png, c, keyword) === undefined)
    .map((c) => png.subarray(c.start, c.end));
  return Buffer.concat([SIGNATURE, ...kept, chunk, png.subarray(iend.start, iend.end)]);
}

function textOf(
  png: Buffer,
  c: { type: string; data: number; end: number },
  keyword: string,
): string | undefined {
  if (c.type !== "tEXt") return undefined;
  const body = png.subarray(c.data, c.end - 4);
  const nul = body.indexOf(0);
  if (nul < 0 || body.toString("latin1", 0, nul) !== keyword) return undefined;
  return body.toString("latin1", nul + 1);
}

/** The text of the `tEXt` chunk `keyword` in `png` (undefined: none, or not a PNG). */
export function readPngText(png: Buffer, keyword: string): string | undefined {
  if (!isPng(png)) return undefined;
  for (const c of chunks(png)) {
    const t = textOf(png, c, keyword);
    if (t !== undefined) return t;
  }
  return undefined;
}
