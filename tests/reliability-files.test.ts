/**
 * Issue 21, data loss in files: the figure export deletes a figure's files only when the
 * notebook that made it was read this run and no longer makes it; atomic writes refuse
 * non-regular targets, write through symlinks and keep the file mode.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { exportFigures, indexedIds } from "../scripts/figures";
import { writeFileAtomic } from "../lib/export/atomicFile";
import { makeFixtureProject } from "./helpers/figureNotebooks";

const ROOT = path.join(__dirname, "..");
const quiet = () => {};
const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "passk-rel-"));

async function exportFrom(notebooksDir: string, outDir: string, only?: string[]) {
  const lines: string[] = [];
  const r = await exportFigures({
    notebooksDir,
    outDir,
    preset: "notebook",
    renderer: null,
    only,
    log: (l) => lines.push(l),
  });
  return { r, lines };
}

/** A project exported once: figures/ holds fx-lines, fx-kernel (01-a) and fx-bars (02-b). */
async function exported(): Promise<{ root: string; nbDir: string; out: string }> {
  const root = makeFixtureProject();
  const nbDir = path.join(root, "notebooks");
  const out = path.join(root, "figures");
  await exportFigures({
    notebooksDir: nbDir,
    outDir: out,
    preset: "notebook",
    renderer: null,
    log: quiet,
  });
  fs.writeFileSync(path.join(out, "fx-bars.png"), "committed png");
  return { root, nbDir, out };
}

const ALL = ["fx-lines", "fx-kernel", "fx-bars"];

describe("figure export deletes only what a notebook read this run no longer makes", () => {
  test("--notebooks EMPTY_DIR deletes nothing and INDEX.md keeps every figure", async () => {
    const { root, out } = await exported();
    const empty = path.join(root, "empty");
    fs.mkdirSync(empty);
    const { r, lines } = await exportFrom(empty, out);
    assert.equal(r.exitCode, 1, "an empty notebooks folder is reported");
    assert.ok(
      lines.some((l) =>
        /no readable notebook in .*empty: nothing exported, nothing deleted/.test(l),
      ),
    );
    for (const id of ALL) assert.ok(fs.existsSync(path.join(out, `${id}.html`)), `${id}.html`);
    assert.equal(fs.readFileSync(path.join(out, "fx-bars.png"), "utf8"), "committed png");
    assert.deepEqual(indexedIds(path.join(out, "INDEX.md")).sort(), [...ALL].sort());
  });

  test("a folder holding one of the notebooks (npm start -- --dir SUBDIR) keeps the others' figures", async () => {
    const { root, nbDir, out } = await exported();
    const sub = path.join(root, "sub");
    fs.mkdirSync(sub);
    fs.copyFileSync(path.join(nbDir, "01-a.ipynb"), path.join(sub, "01-a.ipynb"));
    const { r } = await exportFrom(sub, out, ["fx-lines", "fx-kernel"]);
    assert.equal(r.exitCode, 0, r.errors.join("\n"));
    assert.ok(fs.existsSync(path.join(out, "fx-bars.html")));
    assert.equal(fs.readFileSync(path.join(out, "fx-bars.png"), "utf8"), "committed png");
    const index = fs.readFileSync(path.join(out, "INDEX.md"), "utf8");
    assert.deepEqual(indexedIds(path.join(out, "INDEX.md")).sort(), [...ALL].sort());
    assert.match(index, /\| fx-bars \| .*02-b\.ipynb/);
  });

  test("a notebook that fails to parse (merge-conflict marker) keeps its figures' files", async () => {
    const { nbDir, out } = await exported();
    const file = path.join(nbDir, "02-b.ipynb");
    fs.writeFileSync(file, "<<<<<<< HEAD\n" + fs.readFileSync(file, "utf8"));
    const { r } = await exportFrom(nbDir, out);
    assert.equal(r.exitCode, 1, "the unreadable notebook is still an error");
    assert.ok(fs.existsSync(path.join(out, "fx-bars.html")));
    assert.equal(fs.readFileSync(path.join(out, "fx-bars.png"), "utf8"), "committed png");
    assert.ok(indexedIds(path.join(out, "INDEX.md")).includes("fx-bars"));
  });

  test("a notebook read this run that no longer shows a figure loses that figure's files", async () => {
    const { nbDir, out } = await exported();
    const file = path.join(nbDir, "02-b.ipynb");
    const nb = JSON.parse(fs.readFileSync(file, "utf8"));
    nb.cells = nb.cells.filter((c: { cell_type: string }) => c.cell_type !== "code");
    fs.writeFileSync(file, JSON.stringify(nb));
    const { lines } = await exportFrom(nbDir, out);
    assert.ok(!fs.existsSync(path.join(out, "fx-bars.html")));
    assert.ok(!fs.existsSync(path.join(out, "fx-bars.png")));
    assert.ok(lines.includes('figures: removed files of "fx-bars", no longer in the notebooks'));
    assert.ok(!indexedIds(path.join(out, "INDEX.md")).includes("fx-bars"));
  });

  test("--out that is a file, or under a file, is a one-line error", () => {
    const dir = tmpDir();
    const file = path.join(dir, "plain");
    fs.writeFileSync(file, "x");
    const nb = makeFixtureProject();
    for (const out of [file, path.join(file, "sub")]) {
      const res = spawnSync(
        process.execPath,
        [
          "--import",
          "tsx",
          path.join(ROOT, "scripts/figures.ts"),
          "--notebooks",
          path.join(nb, "notebooks"),
          "--out",
          out,
        ],
        {
          encoding: "utf8",
          timeout: 60_000,
          env: { ...process.env, CHROMIUM_PATH: "/nonexistent" },
        },
      );
      assert.equal(res.status, 2, res.stderr);
      assert.equal(res.stderr.trim().split("\n").length, 1, res.stderr);
      assert.match(res.stderr, /--out .*not a folder/);
      assert.equal(fs.readFileSync(file, "utf8"), "x");
    }
  });
});

describe("atomic writes respect what is there", () => {
  test("a symlink is written through: the link stays, its target gets the data", () => {
    const dir = tmpDir();
    const target = path.join(dir, "target.csv");
    fs.writeFileSync(target, "old");
    const link = path.join(dir, "link.csv");
    fs.symlinkSync("target.csv", link);
    writeFileAtomic(link, "new");
    assert.ok(fs.lstatSync(link).isSymbolicLink(), "the symlink was replaced by a file");
    assert.equal(fs.readFileSync(target, "utf8"), "new");
  });

  test("the file mode is kept", () => {
    const dir = tmpDir();
    const file = path.join(dir, "script.sh");
    fs.writeFileSync(file, "old");
    fs.chmodSync(file, 0o750);
    writeFileAtomic(file, "new");
    assert.equal(fs.statSync(file).mode & 0o777, 0o750);
    assert.equal(fs.readFileSync(file, "utf8"), "new");
  });

  test("a FIFO, a device and a directory are refused with a clear error and left alone", () => {
    const dir = tmpDir();
    const fifo = path.join(dir, "pipe");
    assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
    assert.throws(() => writeFileAtomic(fifo, "x"), /pipe.*not a regular file/);
    assert.ok(fs.statSync(fifo).isFIFO());
    assert.throws(() => writeFileAtomic("/dev/null", "x"), /\/dev\/null.*not a regular file/);
    assert.ok(fs.statSync("/dev/null").isCharacterDevice());
    assert.throws(() => writeFileAtomic(dir, "x"), /is a folder/);
    assert.deepEqual(fs.readdirSync(dir), ["pipe"], "no temp file left behind");
  });

  test("a missing folder is a clear error", () => {
    const dir = tmpDir();
    assert.throws(
      () => writeFileAtomic(path.join(dir, "no", "such", "out.csv"), "x"),
      /no such folder/,
    );
  });
});
