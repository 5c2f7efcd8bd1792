import { describe, expect, test, vi } from 'vitest';
import type { FromWorker, ToWorker } from '../shared/protocol';
import { TUTORIAL_PRESET } from '../shared/config';
import { FakeWorker } from '../test/fixtures/fakeWorker';
import { TrainingClient } from './trainingClient';

function echoWorker(msg: ToWorker, reply: (m: FromWorker) => void) {
  if (msg.type === 'init') {
    reply({
      type: 'ready',
      backend: 'cpu',
      reason: 'test',
      webglVersion: 0,
      renderer: '',
      softwareRenderer: false,
    });
  } else if (msg.type === 'predict') {
    const probabilities = new Float32Array(10);
    probabilities[msg.pixels[0] > 0.5 ? 1 : 0] = 1;
    reply({ type: 'reply', requestId: msg.requestId, reply: { probabilities, trained: false } });
  } else if (msg.type === 'evaluate') {
    reply({ type: 'error', requestId: msg.requestId, code: 'data-not-ready', message: 'not yet' });
  }
}

/**
 * A client watching its workers on a fast clock: the first worker answers through `first` (and
 * never a ping: it dies), every later one answers init and pings. `run` drives the page, then
 * the clock goes on until a silent worker must have been replaced.
 */
async function withDyingWorker(
  first: (msg: ToWorker, reply: (m: FromWorker) => void) => void,
  run: (client: TrainingClient) => void = () => {},
  ms = 600,
) {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
  const workers: FakeWorker[] = [];
  const client = new TrainingClient(
    'auto',
    () => {
      const isFirst = workers.length === 0;
      workers.push(
        new FakeWorker((msg, reply) => {
          if (msg.type === 'init') echoWorker(msg, reply);
          if (isFirst) first(msg, reply);
          else if (msg.type === 'ping') reply({ type: 'pong' });
        }),
      );
      return workers.at(-1) as unknown as Worker;
    },
    { pingMs: 100, silentMs: 300, gpuSilentMs: 1000, startupMs: 1000 },
  );
  const seen: FromWorker[] = [];
  client.on((m) => seen.push(m));
  const restarts: boolean[] = [];
  client.onRestart((restored) => restarts.push(restored));
  run(client);
  const settle = () => new Promise((r) => setImmediate(r));
  await settle();
  await settle();
  for (let t = 0; t < ms / 100; t++) {
    vi.advanceTimersByTime(100);
    await settle();
  }
  vi.useRealTimers();
  client.dispose();
  return { workers, seen, restarts };
}

describe('TrainingClient over a message channel', () => {
  test('starts the worker with init then loadData, and keeps early events for the first listener', async () => {
    const worker = new FakeWorker(echoWorker);
    const client = new TrainingClient('wasm', () => worker as unknown as Worker);
    // `ready` arrives before anyone listens: the client heard it first (it listened first).
    await new Promise((r) => worker.addEventListener('message', r, { once: true }));
    const seen: FromWorker[] = [];
    client.on((m) => seen.push(m));
    expect(seen.map((m) => m.type)).toEqual(['ready']);
    expect(worker.received.map((m) => m.type)).toEqual(['init', 'loadData']);
    expect(worker.received[0]).toEqual({ type: 'init', backend: 'wasm' });
    client.dispose();
  });

  test('requests resolve with the answers to their own ids; only what is listed is transferred', async () => {
    const client = new TrainingClient('auto', () => new FakeWorker(echoWorker) as unknown as Worker);
    const one = new Float32Array(784).fill(1);
    const zero = new Float32Array(784);
    const [a, b] = await Promise.all([
      client.request({ type: 'predict', pixels: one }),
      client.request({ type: 'predict', pixels: zero }, [zero.buffer]),
    ]);
    expect(a.probabilities[1]).toBe(1);
    expect(b.probabilities[0]).toBe(1);
    expect(one.length).toBe(784); // not listed: cloned, the caller keeps its array
    expect(zero.length).toBe(0); // listed: transferred
    client.dispose();
  });

  test('an error reply rejects the request with its message', async () => {
    const client = new TrainingClient('auto', () => new FakeWorker(echoWorker) as unknown as Worker);
    await expect(client.request({ type: 'evaluate' })).rejects.toThrow('not yet');
    client.dispose();
  });

  test('an aborted request rejects at once with the signal’s reason, and its late answer is dropped', async () => {
    let answer: (() => void) | null = null;
    const worker = new FakeWorker((msg, reply) => {
      if (msg.type === 'predict')
        answer = () =>
          reply({
            type: 'reply',
            requestId: msg.requestId,
            reply: { probabilities: new Float32Array(10), trained: true },
          });
    });
    const client = new TrainingClient('auto', () => worker as unknown as Worker, null);
    const seen: FromWorker[] = [];
    client.on((m) => seen.push(m));
    const asked = new AbortController();
    const reply = client.request({ type: 'predict', pixels: new Float32Array(784) }, [], asked.signal);
    await new Promise<void>((r) => {
      const wait = () => (answer ? r() : setImmediate(wait));
      wait();
    });
    asked.abort();
    await expect(reply).rejects.toMatchObject({ name: 'AbortError' });
    answer!();
    await new Promise((r) => worker.addEventListener('message', r, { once: true }));
    expect(seen.filter((m) => m.type === 'reply')).toEqual([]);
    await expect(
      client.request({ type: 'predict', pixels: new Float32Array(784) }, [], AbortSignal.abort()),
    ).rejects.toMatchObject({ name: 'AbortError' });
    client.dispose();
  });

  test('a worker that does not answer Stop is replaced, and the page is told', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const workers: FakeWorker[] = [];
    const client = new TrainingClient('auto', () => {
      workers.push(new FakeWorker(() => {})); // a worker stuck in a loop: never replies
      return workers.at(-1) as unknown as Worker;
    });
    const seen: FromWorker[] = [];
    client.on((m) => seen.push(m));
    const stopped = client.stop();
    vi.advanceTimersByTime(5_000);
    await stopped;
    vi.useRealTimers();
    expect(workers).toHaveLength(2);
    expect(workers[0].terminated).toBe(true);
    expect(seen.some((m) => m.type === 'error' && /replaced/.test(m.message))).toBe(true);
    client.dispose();
  });

  test('a worker that falls silent is replaced, and the new one gets the last checkpoint', async () => {
    // The first worker saves a checkpoint, then dies: it answers nothing more.
    const { workers, seen, restarts } = await withDyingWorker((msg, reply) => {
      if (msg.type === 'loadData')
        reply({
          type: 'checkpoint',
          runId: 0,
          model: { kind: 'mlp', hidden: [4] },
          params: Float32Array.of(1, 2, 3),
        });
    });
    expect(workers).toHaveLength(2);
    expect(workers[0].terminated).toBe(true);
    const restore = workers[1].received.find((m) => m.type === 'restore');
    expect(restore && Array.from(restore.params)).toEqual([1, 2, 3]);
    const error = seen.find((m) => m.type === 'error');
    expect(error && error.message).toMatch(/stopped answering .* weights it last saved are restored/);
    expect(restarts).toEqual([true]);
  });

  test('on WebGL, where a first step may compile GPU programs for seconds, silence is judged longer', async () => {
    // The first worker says it runs on WebGL, then answers nothing more.
    const onWebgl = (msg: ToWorker, reply: (m: FromWorker) => void) => {
      if (msg.type === 'loadData')
        reply({
          type: 'backendChanged',
          backend: 'webgl',
          reason: 'test',
          webglVersion: 2,
          renderer: '',
          softwareRenderer: false,
        });
    };
    // Silent for 600 ms: over the CPU's 300, within WebGL's 1,000.
    expect((await withDyingWorker(onWebgl)).workers).toHaveLength(1);
    const { workers, seen } = await withDyingWorker(onWebgl, undefined, 1500);
    expect(workers).toHaveLength(2);
    expect(workers[0].terminated).toBe(true);
    const error = seen.find((m) => m.type === 'error');
    expect(error && error.message).toMatch(/stopped answering for 1 s/);
  });

  test('after a reset, a checkpoint of an earlier run is stale: a new worker gets the reset', async () => {
    // The first worker's run ends after the page has reset: its checkpoint comes late.
    const { workers } = await withDyingWorker(
      (msg, reply) => {
        if (msg.type === 'reset')
          reply({
            type: 'checkpoint',
            runId: 1,
            model: { kind: 'mlp', hidden: [4] },
            params: Float32Array.of(9),
          });
      },
      (client) => {
        client.train({ ...TUTORIAL_PRESET, epochs: 1 }); // run 1
        client.reset({ kind: 'mlp', hidden: [8] }, 3);
      },
    );
    expect(workers).toHaveLength(2);
    expect(workers[1].received.some((m) => m.type === 'restore')).toBe(false);
    expect(workers[1].received.find((m) => m.type === 'reset')).toEqual({
      type: 'reset',
      model: { kind: 'mlp', hidden: [8] },
      seed: 3,
    });
  });

  test('an error the worker did not catch is reported as an error, not as a crash', async () => {
    const worker = new FakeWorker(echoWorker);
    const client = new TrainingClient('wasm', () => worker as unknown as Worker, null);
    const seen: FromWorker[] = [];
    client.on((m) => seen.push(m));
    worker.dispatchEvent(Object.assign(new Event('error'), { message: 'Uncaught Error: injected' }));
    const error = seen.find((m) => m.type === 'error');
    expect(error && error.message).toMatch(/unexpected error \(Uncaught Error: injected\); it carries on/);
    expect(error && error.message).not.toMatch(/crash/);
    client.dispose();
  });
});
