import { describe, expect, it } from 'vitest';
import { WorkerContext } from './context';

describe('the worker context', () => {
  it('runs model changes one at a time, in the order asked, even when one fails', async () => {
    const context = new WorkerContext(() => {});
    const log: string[] = [];
    const tick = () => new Promise<void>((r) => setImmediate(r));
    const change = (name: string, fail = false) =>
      context.changeModel(async () => {
        log.push(`${name} starts`);
        await tick();
        await tick();
        log.push(`${name} ends`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([change('import', true), change('train'), change('reset')]);
    expect(log).toEqual([
      'import starts',
      'import ends',
      'train starts',
      'train ends',
      'reset starts',
      'reset ends',
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
  });
});
