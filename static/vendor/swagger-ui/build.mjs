// Copy the files /docs serves out of the pinned swagger-ui-dist package, and print their
// sizes and SHA-256, so a rebuild can be compared byte for byte.
import { createHash } from "node:crypto";
import { copyFileSync, readFileSync, statSync } from "node:fs";

const from = "node_modules/swagger-ui-dist/";
const files = {
  "swagger-ui-bundle.js": "swagger-ui-bundle.js",
  "swagger-ui.css": "swagger-ui.css",
  "favicon-32x32.png": "favicon-32x32.png",
  "LICENSE": "LICENSE",
  "NOTICE": "NOTICE",
  "swagger-ui-bundle.js.LICENSE.txt": "swagger-ui-bundle.js.LICENSE.txt",
};
const { version } = JSON.parse(readFileSync(from + "package.json", "utf8"));
console.log(`swagger-ui-dist ${version}`);
for (const [source, target] of Object.entries(files)) {
  copyFileSync(from + source, target);
  const sha = createHash("sha256").update(readFileSync(target)).digest("hex");
  console.log(`${target}\t${statSync(target).size}\t${sha}`);
}
