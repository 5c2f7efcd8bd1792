// @ts-check
/**
 * The lint's rules on structure hold: a wrong import direction, module-level state on the page and
 * an import cycle each fail it, and their right counterparts do not. ESLint runs through its own
 * API on code never written to disk; the cycle check (npm run check:cycles) on a scratch folder.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ESLint } from 'eslint';
import { describe, expect, test } from 'vitest';

const eslint = new ESLint();

/**
 * The rule ids ESLint reports for `source` at `filePath`.
 * @param {string} filePath
 * @param {string} source
 */
async function rules(filePath, source) {
  const [result] = await eslint.lintText(`${source}\nexport const x = y;\n`, { filePath });
  return result.messages.map((m) => m.ruleId);
}

describe('import directions', () => {
  test.each([
    ['src/ui/status/X.ts', "import { y } from '../../engines/data';", 'page code reaching into an engine'],
    ['src/client/x.ts', "import { y } from '../worker/session';", 'the client reaching into the worker'],
    ['src/App.tsx', "import { y } from './dev/page/hooks';", 'the page importing the dev hooks statically'],
    [
      'src/engines/cpu/x.ts',
      "import { y } from '../../worker/run/trainer';",
      'an engine reaching into the worker',
    ],
    ['src/engines/x.ts', "import { y } from '../ui/hooks/useTraining';", 'an engine reaching into the page'],
    ['src/worker/x.ts', "import { y } from '../client/metricsStore';", 'the worker reaching into the page'],
    ['src/shared/x.ts', "import { y } from '../engines/layout';", 'shared code reaching into an engine'],
  ])('%s: %s fails (%s)', async (file, source) => {
    expect(await rules(file, source)).toContain('no-restricted-imports');
  });

  test('an import() of dev/ outside a __DEV_HOOKS__ guard fails; inside one it passes', async () => {
    const file = 'src/main.tsx';
    const body = (/** @type {string} */ code) => `${code}\nexport const y = 1;`;
    expect(await rules(file, body("void import('./dev/page/hooks');"))).toContain('no-restricted-syntax');
    expect(await rules(file, body("if (__DEV_HOOKS__) void import('./dev/page/hooks');"))).not.toContain(
      'no-restricted-syntax',
    );
    expect(
      await rules(
        'src/worker/w.ts',
        body("export const h = __DEV_HOOKS__ ? import('../dev/worker/hooks') : null;"),
      ),
    ).not.toContain('no-restricted-syntax');
  });

  test.each([
    ['src/ui/status/X.ts', "import { y } from '../../shared/modelSpec';"],
    ['src/worker/x.ts', "import { y } from '../engines/registry';"],
    ['src/dev/worker/x.ts', "import { y } from '../../worker/session';"],
  ])('%s: %s passes', async (file, source) => {
    expect(await rules(file, source)).not.toContain('no-restricted-imports');
  });
});

describe('state on the page', () => {
  test.each([
    ['src/ui/hooks/useX.ts', 'let current = 0;'],
    ['src/ui/charts/X.tsx', 'export let shared = null;'],
    ['src/client/x.ts', 'var cache = {};'],
    ['src/App.tsx', 'let session = null;'],
  ])('%s: %s fails', async (file, source) => {
    expect(await rules(file, source)).toContain('no-restricted-syntax');
  });

  test.each([
    ['src/ui/hooks/useX.ts', 'const LIMIT = 4;\nexport function f() { let n = 0; return n++; }'],
    ['src/worker/x.ts', 'let run = null;'],
  ])('%s: %s passes', async (file, source) => {
    expect(await rules(file, source)).not.toContain('no-restricted-syntax');
  });
});

describe('import cycles', () => {
  /**
   * Runs the project's cycle check, with its own flags, on `files` written to a scratch folder.
   * @param {Record<string, string>} files
   */
  async function checkCycles(files) {
    const pkg = JSON.parse(await readFile('package.json', 'utf8'));
    // Its arguments but the command and the quoted globs of the project's files.
    const flags = String(pkg.scripts['check:cycles'])
      .split(' ')
      .slice(1)
      .filter((a) => !a.startsWith("'"));
    const dir = await mkdtemp(join(tmpdir(), 'cycles-'));
    try {
      for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
      const run = promisify(execFile);
      return await run('node_modules/.bin/dpdm', [...flags, join(dir, '*.ts')]).then(
        (r) => ({ code: 0, out: r.stdout }),
        (/** @type {{ code: number, stdout: string }} */ e) => ({ code: e.code, out: e.stdout }),
      );
    } finally {
      await rm(dir, { recursive: true });
    }
  }

  test('a cycle fails the check, even one closed by a type-only import', async () => {
    const cycle = await checkCycles({
      'a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'b.ts': "import type { C } from './c';\nexport const b: C = 1;\n",
      'c.ts': "import { a } from './a';\nexport type C = number;\nexport const c = a;\n",
    });
    expect(cycle.code).toBe(1);
    // Named from any of its files, in the order the imports run.
    expect(cycle.out).toMatch(/(a|b|c)\.ts -> .*\.ts -> .*\.ts/);
    for (const name of ['a.ts', 'b.ts', 'c.ts']) expect(cycle.out).toContain(name);
  });

  test('the same modules without the cycle pass', async () => {
    const chain = await checkCycles({
      'a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'b.ts': "import type { C } from './c';\nexport const b: C = 1;\n",
      'c.ts': 'export type C = number;\n',
    });
    expect(chain.code).toBe(0);
  });
});
