import { describe, expect, it } from 'vitest';
import { BackendManager } from './backend';

describe('BackendManager.unlessLost', () => {
  it('lets go of each promise it guarded once that settles, so a long run keeps nothing', async () => {
    const manager = new BackendManager();
    const weights = new Float32Array(1000);
    for (let i = 0; i < 1000; i++) {
      const got = await manager.unlessLost(Promise.resolve({ params: weights, i }));
      expect(got.i).toBe(i);
      await expect(manager.unlessLost(Promise.reject(new Error(`failed ${i}`)))).rejects.toThrow(
        `failed ${i}`,
      );
    }
    expect(manager.guarding).toBe(0);
  });

  it('rejects what it guards when the WebGL context is lost, and everything after', async () => {
    const manager = new BackendManager();
    manager.info = {
      backend: 'webgl',
      reason: '',
      webglVersion: 2,
      renderer: 'GPU',
      softwareRenderer: false,
    };
    const never = manager.unlessLost(new Promise<number>(() => {}));
    expect(manager.guarding).toBe(1);
    expect(manager.isDeviceFailure(new Error('WebGL context lost'))).toBe(true);
    await expect(never).rejects.toThrow('WebGL context lost');
    expect(manager.guarding).toBe(0);
    await expect(manager.unlessLost(Promise.resolve(1))).rejects.toThrow('WebGL context lost');
  });
});
