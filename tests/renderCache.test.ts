/**
 * The renderer's start-up plumbing (lib/export/renderCache): the shared Chromium profile is used by
 * one process at a time, a lock left by a dead process is taken over, and the loopback
 * server serves exactly the files it was given. No browser needed.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  acquireProfile,
  contentHash,
  defaultProfileDir,
  serveStatic,
} from "../lib/export/renderCache";

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "passk-profile-test-"));

describe("acquireProfile", () => {
  test("the shared profile goes to one holder at a time; the next gets a temporary one until release", () => {
    const dir = path.join(tmp(), "profile");
    const first = acquireProfile(dir);
    assert.equal(first.persistent, true);
    assert.equal(first.dir, dir);
    assert.equal(fs.readFileSync(path.join(dir, "passk.lock"), "utf8"), String(process.pid));
    const second = acquireProfile(dir);
    assert.equal(second.persistent, false);
    assert.notEqual(second.dir, dir);
    assert.ok(fs.existsSync(second.dir));
    second.release();
    assert.ok(!fs.existsSync(second.dir), "a temporary profile is deleted on release");
    first.release();
    first.release(); // idempotent
    assert.ok(!fs.existsSync(path.join(dir, "passk.lock")));
    assert.ok(fs.existsSync(dir), "the shared profile itself is kept");
    const third = acquireProfile(dir);
    assert.equal(third.persistent, true);
    third.release();
  });

  test("a lock left by a process that no longer exists is taken over", () => {
    const dir = tmp();
    const exited = spawnSync(
      process.execPath,
      ["-e", "process.stdout.write(String(process.pid))"],
      { encoding: "utf8" },
    );
    fs.writeFileSync(path.join(dir, "passk.lock"), exited.stdout);
    const profile = acquireProfile(dir);
    assert.equal(profile.persistent, true);
    assert.equal(fs.readFileSync(path.join(dir, "passk.lock"), "utf8"), String(process.pid));
    profile.release();
  });

  test("null, an unwritable folder, or PASSK_RENDER_CACHE=off give a temporary profile", () => {
    const none = acquireProfile(null);
    assert.equal(none.persistent, false);
    none.release();
    const file = path.join(tmp(), "a-file");
    fs.writeFileSync(file, "");
    const blocked = acquireProfile(path.join(file, "profile")); // a path under a regular file
    assert.equal(blocked.persistent, false);
    blocked.release();
    const saved = process.env.PASSK_RENDER_CACHE;
    try {
      process.env.PASSK_RENDER_CACHE = "off";
      assert.equal(defaultProfileDir(), null);
      delete process.env.PASSK_RENDER_CACHE;
      assert.match(defaultProfileDir()!, /node_modules[\\/]\.cache[\\/]passk-chromium$/);
    } finally {
      if (saved === undefined) delete process.env.PASSK_RENDER_CACHE;
      else process.env.PASSK_RENDER_CACHE = saved;
    }
  });
});

describe("serveStatic", () => {
  test("serves the given files with their type and cache policy, 404 for anything else", async () => {
    const server = await serveStatic({
      "/a.js": { body: "x=1", type: "text/javascript", immutable: true },
    });
    try {
      server.set("/page.html", { body: "<p>hi</p>", type: "text/html" });
      const base = `http://127.0.0.1:${server.port}`;
      const js = await fetch(`${base}/a.js`);
      assert.equal(js.status, 200);
      assert.equal(await js.text(), "x=1");
      assert.equal(js.headers.get("content-type"), "text/javascript");
      assert.match(js.headers.get("cache-control")!, /immutable/);
      const html = await fetch(`${base}/page.html?v=1`);
      assert.equal(await html.text(), "<p>hi</p>");
      assert.equal(html.headers.get("cache-control"), "no-store");
      assert.equal((await fetch(`${base}/other`)).status, 404);
    } finally {
      await server.close();
    }
  });

  test("contentHash is the first 16 hex digits of SHA-256", () => {
    // sha256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad (FIPS 180-2
    // example)
    assert.equal(contentHash("abc"), "ba7816bf8f01cfea");
  });
});
