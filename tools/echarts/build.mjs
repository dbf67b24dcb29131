// Bundles entry.js into ../../static/vendor/echarts/echarts.min.js and writes VERSION.
// Run from this folder: npm ci && npm run build
import { readFileSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const target = new URL("../../static/vendor/echarts/", import.meta.url);
const echartsVersion = JSON.parse(
  readFileSync(new URL("node_modules/echarts/package.json", import.meta.url)),
).version;
const esbuildVersion = JSON.parse(
  readFileSync(new URL("node_modules/esbuild/package.json", import.meta.url)),
).version;

await build({
  entryPoints: [new URL("entry.js", import.meta.url).pathname],
  outfile: new URL("echarts.min.js", target).pathname,
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2018",
  legalComments: "none",
  // ECharts' development warnings are dropped, as in its own production build.
  define: { __DEV__: "false", "process.env.NODE_ENV": '"production"' },
  banner: {
    js: `/*! Apache ECharts ${echartsVersion} (Apache-2.0, see LICENSE and NOTICE): line chart, grid, legend, tooltip, canvas renderer. Built by tools/echarts. */`,
  },
});

writeFileSync(
  new URL("VERSION", target),
  `Apache ECharts ${echartsVersion} from the npm package echarts@${echartsVersion}, a custom ` +
    `build of only the line chart, grid, legend, tooltip and canvas renderer, bundled with ` +
    `esbuild ${esbuildVersion} by tools/echarts (npm ci && npm run build).\n`,
);
