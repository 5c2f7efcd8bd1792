import { describe, expect, test } from 'vitest';
import type { ModelSpec } from '../shared/modelSpec';
import { ModelCustody } from './modelCustody';

const MLP: ModelSpec = { kind: 'mlp', hidden: [4] };
const checkpoint = (runId: number, ...params: number[]) =>
  ({ type: 'checkpoint', runId, model: MLP, params: Float32Array.from(params) }) as const;

describe('what a new worker takes over', () => {
  test('the current run’s last checkpoint, as a copy the page can transfer', () => {
    const custody = new ModelCustody();
    custody.runStarted(1);
    custody.checkpoint(checkpoint(1, 1, 2));
    custody.checkpoint(checkpoint(1, 3, 4));
    const first = custody.takeover()!;
    expect(first.msg).toMatchObject({ type: 'restore', model: MLP });
    expect(first.msg.type === 'restore' && Array.from(first.msg.params)).toEqual([3, 4]);
    structuredClone(first.msg, { transfer: first.transfer }); // the copy goes to a worker
    const second = custody.takeover()!;
    expect(second.msg.type === 'restore' && Array.from(second.msg.params)).toEqual([3, 4]);
    expect(custody.holdsWeights).toBe(true);
  });

  test('after a reset, a restore or an import, an earlier run’s checkpoint is stale', () => {
    const custody = new ModelCustody();
    custody.runStarted(1);
    custody.reset(MLP, 3);
    custody.checkpoint(checkpoint(1, 9));
    expect(custody.takeover()!.msg).toEqual({ type: 'reset', model: MLP, seed: 3 });
    expect(custody.holdsWeights).toBe(false);
    custody.restored(MLP, Float32Array.of(5));
    custody.checkpoint(checkpoint(1, 9));
    expect(custody.takeover()!.msg).toMatchObject({ type: 'restore', params: Float32Array.of(5) });
    custody.runStarted(2);
    custody.checkpoint(checkpoint(2, 7));
    expect(custody.takeover()!.msg).toMatchObject({ type: 'restore', params: Float32Array.of(7) });
  });

  test('another backend: nothing is taken over', () => {
    const custody = new ModelCustody();
    custody.restored(MLP, Float32Array.of(5));
    custody.forget();
    expect(custody.takeover()).toBeNull();
  });
});
