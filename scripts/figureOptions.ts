/**
 * Command-line options of `npm run figures` (scripts/figures.ts), parsed and checked here so
 * that figures.ts only wires them in, and the gallery section of figures/INDEX.md.
 *
 *   --preset notebook|screen|paper|paper-double|slides   (default notebook; `slide` = slides)
 *   --width PX  --font-size PX  --no-title               style overrides (lib/plots/style.ts)
 *   --formats svg,png,pdf,html                           (default: all four)
 *   --only ID,ID                                         (comma list, may repeat)
 *   --out DIR  --notebooks DIR  --require-static
 *
 * The committed figures/ is written only by the default run (notebook preset, no style
 * override); any other run writes to figures/<preset>/ (gitignored) unless --out says where.
 */
import * as path from "path";
import { parseArgs } from "util";
import {
  presetSpec,
  resolvedSpec,
  STYLE_PRESETS,
  type StyleOptions,
  type StylePreset,
} from "../lib/plots/style";

export const OUTPUT_FORMATS = ["svg", "png", "pdf", "html"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The default output folder: the committed figures/. */
export const DEFAULT_OUT = "figures";

export const USAGE =
  "usage: npm run figures -- [--preset " +
  STYLE_PRESETS.join("|") +
  "] [--width PX] [--font-size PX] [--no-title] [--formats svg,png,pdf,html] " +
  "[--only ID,ID] [--out DIR] [--notebooks DIR] [--require-static]";

export interface FigureCliOptions {
  preset: StylePreset;
  style: StyleOptions;
  formats: OutputFormat[];
  /** Figure ids to export (undefined: all). */
  only?: string[];
  outDir: string;
  notebooksDir: string;
  requireStatic: boolean;
  help: boolean;
}

/** A bad command line: the message to print and exit code 2. */
export class UsageError extends Error {}

/** Splits repeated, comma-separated values ("a,b", "c") into ["a", "b", "c"]. */
function commaList(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  return values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

function positiveNumber(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!(raw.trim() !== "" && Number.isFinite(v) && v > 0))
    throw new UsageError(`--${name} must be a positive number of px, got ${JSON.stringify(raw)}`);
  return v;
}

/** Parses and checks the command line; throws UsageError with a one-line message. */
export function parseFigureArgs(argv: readonly string[]): FigureCliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        preset: { type: "string", default: "notebook" },
        width: { type: "string" },
        "font-size": { type: "string" },
        "no-title": { type: "boolean", default: false },
        formats: { type: "string", multiple: true },
        only: { type: "string", multiple: true },
        out: { type: "string" },
        notebooks: { type: "string", default: "notebooks" },
        "require-static": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const preset = values.preset as StylePreset;
  try {
    presetSpec(preset, "--preset");
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^--preset: preset/, "--preset"));
  }
  const style: StyleOptions = {};
  const width = positiveNumber("width", values.width);
  const fontSize = positiveNumber("font-size", values["font-size"]);
  if (width !== undefined) style.width = width;
  if (fontSize !== undefined) style.fontSize = fontSize;
  if (values["no-title"]) style.title = false;
  try {
    resolvedSpec(preset, style, "figures");
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^figures: fontSize/, "--font-size"));
  }
  const formats = commaList(values.formats) ?? [...OUTPUT_FORMATS];
  for (const f of formats) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(f))
      throw new UsageError(
        `--formats: unknown format ${JSON.stringify(f)}; valid: ${OUTPUT_FORMATS.join(", ")}`,
      );
  }
  if (formats.length === 0) throw new UsageError("--formats: give at least one format");
  const only = commaList(values.only);
  if (only !== undefined && only.length === 0)
    throw new UsageError("--only: give at least one figure id");
  return {
    preset,
    style,
    formats: [...new Set(formats)] as OutputFormat[],
    only,
    outDir: values.out ?? defaultOutDir(preset, style),
    notebooksDir: values.notebooks,
    requireStatic: values["require-static"],
    help: values.help,
  };
}

/** figures/ for the default run; figures/<preset>/ for any other preset or style override. */
export function defaultOutDir(preset: StylePreset, style: StyleOptions = {}): string {
  const isDefault = preset === "notebook" && Object.keys(style).length === 0;
  return isDefault ? DEFAULT_OUT : path.join(DEFAULT_OUT, preset === "slide" ? "slides" : preset);
}

/** Checks --only against the figures the notebooks show; the message lists the valid ids. */
export function checkOnly(only: readonly string[] | undefined, valid: readonly string[]): void {
  if (only === undefined) return;
  const unknown = only.filter((id) => !valid.includes(id));
  if (unknown.length === 0) return;
  throw new UsageError(
    `--only: unknown figure id${unknown.length > 1 ? "s" : ""} ` +
      `${unknown.map((u) => JSON.stringify(u)).join(", ")}; ` +
      `valid ids: ${valid.join(", ")}`,
  );
}

/** What the gallery needs of a collected figure (scripts/figures.ts's CollectedFigure). */
interface GalleryFigure {
  info: { id: string; caption: string; notebook: string; builder?: string };
  where: string;
}

/**
 * The gallery section of INDEX.md: every figure as an image (PNG, else SVG, if written) with its
 * caption and the notebook cell that makes it. `exists(file)` says whether a file was written.
 */
export function galleryMarkdown(
  figures: readonly GalleryFigure[],
  exists: (file: string) => boolean,
): string {
  const lines = ["", "## Gallery", ""];
  for (const { info, where } of figures) {
    const cell = /, cell (\d+)$/.exec(where)?.[1];
    const source = `notebooks/${info.notebook}${cell !== undefined ? `, cell ${cell}` : ""}`;
    const image = ["png", "svg"].map((ext) => `${info.id}.${ext}`).find(exists);
    const alt = info.caption.replace(/[[\]\r\n]/g, " ");
    lines.push(`### ${info.id}`, "");
    lines.push(image ? `![${alt}](${image})` : "(image not written)", "");
    lines.push(
      `${info.caption.replace(/\r?\n/g, " ").replace(/([*_\\])/g, "\\$1")}  `,
      `*Made by* \`${source}\`${info.builder ? ` *with* \`${info.builder}()\`` : ""}.`,
      "",
    );
  }
  return lines.join("\n");
}
