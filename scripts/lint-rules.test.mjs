// @ts-check
/**
 * The import directions of eslint.config.js hold: a wrong import fails the lint, a right one
 * does not. Run through ESLint's own API on code that is never written to disk.
 */
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
