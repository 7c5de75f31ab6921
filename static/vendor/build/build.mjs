// Rebuild every file in static/vendor/ from the packages pinned in package-lock.json.
// Run from this folder: `npm ci && npm run build`. Nothing is fetched at run time: the page
// must work on a LAN with no internet, so each output is a single self-contained file.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "..");
const licenses = join(vendor, "licenses");
const modules = join(here, "node_modules");

const pkgDir = (name) => join(modules, name);
const pkgJson = (name) => JSON.parse(readFileSync(join(pkgDir(name), "package.json"), "utf8"));
// "@codemirror/view" -> "codemirror__view.txt": one flat folder, no collisions with unscoped names.
const licenseFile = (name) => join(licenses, `${name.replace(/^@/, "").replace("/", "__")}.txt`);

/** The package that owns a node_modules path from esbuild's metafile. */
function packageOf(path) {
  const parts = relative(modules, join(here, path)).split("/");
  return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
}

function copyLicense(name) {
  const { version, license } = pkgJson(name);
  const text = readFileSync(join(pkgDir(name), "LICENSE"), "utf8");
  writeFileSync(licenseFile(name), `${name}@${version} (${license})\n\n${text}`);
}

// style-mod puts CodeMirror's styles in a <style> element unless the editor lives in a shadow
// root; the page's CSP (`style-src 'self'`, no nonce) refuses such elements. Every browser
// the page supports has constructable stylesheets, which CSP allows, so use them for
// documents too. The page's own CSS then comes *before* CodeMirror's in the cascade, so its
// editor rules are written with an id to win.
const styleModCsp = {
  name: "style-mod-csp",
  setup(build) {
    build.onLoad({ filter: /style-mod[\\/]src[\\/]style-mod\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const from = "if (!root.head && root.adoptedStyleSheets && win.CSSStyleSheet) {";
      if (!source.includes(from)) throw new Error("style-mod changed: revisit the CSP patch");
      return { contents: source.replace(from, "if (root.adoptedStyleSheets && win.CSSStyleSheet) {") };
    });
  },
};

async function buildCodeMirror() {
  const bundled = (pkgs) => pkgs.map((n) => `${n}@${pkgJson(n).version}`).join(", ");
  const direct = ["codemirror", "@codemirror/lang-python"];
  const result = await esbuild.build({
    entryPoints: [join(here, "codemirror-entry.js")],
    outfile: join(vendor, "codemirror.js"),
    bundle: true,
    format: "iife",
    globalName: "CM",
    minify: true,
    target: ["es2020"],
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
    plugins: [styleModCsp],
    banner: {
      js: `/*! CodeMirror 6 for Tensor Playground: ${bundled(direct)} and their dependencies.`
        + " MIT, see licenses/. */",
    },
  });
  const packages = [
    ...new Set(
      Object.keys(result.metafile.inputs)
        .filter((p) => p.includes("node_modules/"))
        .map(packageOf),
    ),
  ].sort();
  packages.forEach(copyLicense);
  return packages;
}

function copyHtmx() {
  copyFileSync(join(pkgDir("htmx.org"), "dist", "htmx.min.js"), join(vendor, "htmx.min.js"));
  copyLicense("htmx.org");
}

// viz-global.js is the UMD build with the Graphviz wasm inlined (it was called
// viz-standalone.js before 3.x); the npm package ships no LICENSE, so the texts of the
// wrapper and of what is compiled into it come from third-party/.
function copyViz() {
  const dist = join(pkgDir("@viz-js/viz"), "dist", "viz-global.js");
  copyFileSync(dist, join(vendor, "viz-standalone.js"));
  const { version } = pkgJson("@viz-js/viz");
  const parts = [
    [`@viz-js/viz@${version} (MIT)`, "viz-js.LICENSE"],
    ["Graphviz, compiled into the WebAssembly (EPL-1.0)", "graphviz.EPL-1.0"],
    ["Expat, compiled into the WebAssembly (MIT)", "expat.COPYING"],
    ["Emscripten runtime, compiled in (MIT OR NCSA)", "emscripten.LICENSE"],
  ];
  const text = parts
    .map(([title, file]) => [title, readFileSync(join(here, "third-party", file), "utf8")])
    .map(([title, body]) => `== ${title} ==\n\n${body}`)
    .join("\n\n");
  writeFileSync(licenseFile("@viz-js/viz"), text);
}

// axe-core is for the accessibility test only (tests/test_browser_a11y.py injects it); the
// page never loads it.
function copyAxe() {
  copyFileSync(join(pkgDir("axe-core"), "axe.min.js"), join(vendor, "axe.min.js"));
  const { version, license } = pkgJson("axe-core");
  const text = readFileSync(join(pkgDir("axe-core"), "LICENSE"), "utf8");
  writeFileSync(licenseFile("axe-core"), `axe-core@${version} (${license})\n\n${text}`);
}

// The Noto Sans SC subset is cut by cjk_subset.py (fontTools); its source is this package.
function copyFontLicense() {
  const name = "@fontsource/noto-sans-sc";
  const { version, license } = pkgJson(name);
  const text = readFileSync(join(pkgDir(name), "LICENSE"), "utf8");
  writeFileSync(licenseFile(name), `${name}@${version} (${license})\n\n${text}`);
}

// Served as is with `Content-Encoding: gzip` (app/web/assets.py checks they match).
function precompress(files) {
  for (const file of files) {
    const data = readFileSync(join(vendor, file));
    writeFileSync(join(vendor, `${file}.gz`), gzipSync(data, { level: 9 }));
  }
}

function report(files) {
  for (const file of files) {
    const data = readFileSync(join(vendor, file));
    const sha = createHash("sha256").update(data).digest("hex").slice(0, 16);
    const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
    const size = kib(data.length).padStart(11);
    const gzip = kib(gzipSync(data).length).padStart(10);
    console.log(`${file.padEnd(20)} ${size}  gzip ${gzip}  sha256 ${sha}`);
  }
}

rmSync(licenses, { recursive: true, force: true });
mkdirSync(licenses);
copyHtmx();
copyViz();
copyAxe();
copyFontLicense();
const bundled = await buildCodeMirror();
console.log(`codemirror.js bundles: ${bundled.map((n) => `${n}@${pkgJson(n).version}`).join(" ")}`);
const outputs = ["htmx.min.js", "codemirror.js", "viz-standalone.js", "axe.min.js"];
precompress(outputs);
report(outputs);
