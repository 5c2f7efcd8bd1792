import { describe, expect, test } from 'vitest';
import { Watchdog, type WatchdogLimits } from './watchdog';

const LIMITS: WatchdogLimits = { pingMs: 100, silentMs: 300, gpuSilentMs: 1000, startupMs: 1000 };

/** Asks `dog` every pingMs from `from` to `to` (inclusive), and returns the verdicts' actions. */
function ask(dog: Watchdog, from: number, to: number): string[] {
  const seen: string[] = [];
  for (let t = from; t <= to; t += LIMITS.pingMs) seen.push(dog.check(t).action);
  return seen;
}

describe('the watchdog, on a clock of its caller', () => {
  test('pings a worker that has spoken, once until it answers', () => {
    const dog = new Watchdog(LIMITS, 0);
    dog.heard();
    expect(ask(dog, 100, 300)).toEqual(['ping', 'wait', 'wait']);
    dog.heard();
    expect(dog.check(400).action).toBe('ping');
  });

  test('replaces a worker silent for longer than silentMs, saying for how long', () => {
    const dog = new Watchdog(LIMITS, 0);
    dog.heard();
    expect(ask(dog, 100, 400)).toEqual(['ping', 'wait', 'wait', 'wait']);
    expect(dog.check(500)).toEqual({
      action: 'replace',
      reason: 'The training worker stopped answering for 0 s, so it was replaced by a new one.',
    });
  });

  test('on WebGL, silence is judged over gpuSilentMs', () => {
    const dog = new Watchdog(LIMITS, 0);
    dog.heard(true);
    expect(ask(dog, 100, 1100)).not.toContain('replace');
    expect(dog.check(1200).action).toBe('replace');
  });

  test('a new worker that says nothing is replaced after startupMs', () => {
    const dog = new Watchdog(LIMITS, 0);
    expect(ask(dog, 100, 1000)).toEqual(Array(10).fill('wait'));
    expect(dog.check(1100)).toMatchObject({
      action: 'replace',
      reason: expect.stringMatching(/said nothing for 1 s/),
    });
  });

  test('a page that slept judges nothing on waking: it pings again', () => {
    const dog = new Watchdog(LIMITS, 0);
    dog.heard();
    expect(dog.check(100).action).toBe('ping');
    // The page's timers stalled for 10 s (a background tab): the unanswered ping may only be unread.
    expect(dog.check(10_100).action).toBe('ping');
  });

  test('gives up, once, at its fourth replacement within two minutes, and stays quiet after', () => {
    const dog = new Watchdog(LIMITS, 0);
    const verdicts: string[] = [];
    dog.heard();
    for (let t = 100; t <= 60_000; t += LIMITS.pingMs) {
      const { action } = dog.check(t);
      if (action !== 'replace' && action !== 'giveUp') continue;
      verdicts.push(action);
      // The client starts a new worker after a replacement, which speaks once and then dies too.
      if (action === 'replace') {
        dog.started(t);
        dog.heard();
      }
    }
    expect(verdicts).toEqual(['replace', 'replace', 'replace', 'giveUp']);
  });
});
