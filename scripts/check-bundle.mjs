// @ts-check
/**
 * npm run check:bundle (part of npm test, after npm run build): the production build must hold
 * none of the test and benchmark hooks of src/dev/. Fails, naming the file and the hook, when a
 * built file mentions one, or when there is no build to check.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, process.argv[2] ?? 'dist');
/** Names only the hooks use: the page's globals and the dev commands. */
const HOOKS = [
  'mnistClient',
  'mnistDev',
  'devConformance',
  'devBenchSteps',
  'devLoseContext',
  'devClose',
  'devThrow',
  'devBlock',
  'devInjectFault',
  'devLastCheck',
  'devMemory',
  'devResult',
];

/** @param {string} dir @returns {string[]} */
function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

if (!existsSync(join(dist, 'index.html'))) {
  console.error(`check-bundle: no build in ${relative(root, dist)}/; run npm run build first.`);
  process.exit(1);
}
const scripts = files(dist).filter((f) => /\.(js|mjs|html)$/.test(f));
const found = scripts.flatMap((f) => {
  const text = readFileSync(f, 'utf8');
  return HOOKS.filter((h) => text.includes(h)).map((h) => `${relative(root, f)}: ${h}`);
});
if (found.length) {
  console.error(`check-bundle: the production build contains test hooks:\n  ${found.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `check-bundle: ${scripts.length} files of ${relative(root, dist)}/ hold none of ${HOOKS.join(', ')}.`,
);
