/**
 * One line each for the backend in use, the engine and model, the data and the run, as a user
 * would ask about them.
 */
import type { BackendInfo, EngineInfo } from '../../shared/protocol';
import type { DataStatus, RunInfo } from '../../client/sessionState';
import { formatCount } from '../../shared/format';

const BACKEND_NAMES = {
  webgl: 'WebGL',
  wasm: 'WebAssembly',
  cpu: 'JavaScript CPU',
  js: 'JavaScript CPU, optimised',
} as const;

interface Props {
  backend: BackendInfo | null;
  engine: EngineInfo | null;
  data: DataStatus;
  run: RunInfo | null;
}

export function StatusBar({ backend, engine, data, run }: Props) {
  return (
    <dl className="status-bar">
      <div>
        <dt>Backend</dt>
        <dd data-testid="status.backend" title={backend?.renderer}>
          {backend ? `${BACKEND_NAMES[backend.backend]}: ${backend.reason}` : 'starting…'}
        </dd>
      </div>
      <div>
        <dt>Engine</dt>
        <dd data-testid="status.engine">
          {engine ? `${engine.label} (${engine.model}): ${engine.reason}` : 'starting…'}
        </dd>
      </div>
      <div>
        <dt>Data</dt>
        <dd>
          {/* The live region inside the dd: a dd with a role of its own breaks the list. */}
          <span data-testid="status.data" role="status" aria-label="Data status">
            {dataText(data)}
          </span>
        </dd>
      </div>
      <div>
        <dt>Run</dt>
        <dd>
          <span data-testid="status.run" role="status" aria-label="Run status">
            {runText(run)}
          </span>
        </dd>
      </div>
    </dl>
  );
}

function runText(run: RunInfo | null): string {
  if (!run) return 'not started';
  const { interrupted } = run;
  if (!interrupted) return run.collapsed ? `${run.state}, collapsed to one digit` : run.state;
  const weights =
    interrupted.weightsAt === null
      ? 'no weights were saved'
      : `its model as saved at batch ${formatCount(interrupted.weightsAt)}`;
  return `interrupted at batch ${formatCount(interrupted.batch)}: ${weights}`;
}

function dataText(data: DataStatus): string {
  switch (data.status) {
    case 'loading': {
      if (data.totalBytes === 0) return 'Loading MNIST…';
      const mb = (n: number) => (n / 1e6).toFixed(1);
      return `Loading MNIST: ${mb(data.loadedBytes)} of ${mb(data.totalBytes)} MB, ${formatCount(data.imagesLoaded)} of ${formatCount(data.imagesTotal)} images decoded`;
    }
    case 'ready':
      return `${formatCount(data.trainCount)} training and ${formatCount(data.testCount)} test images ready`;
    case 'error':
      return `Data failed to load: ${data.message}`;
    default: {
      const _exhaustive: never = data;
      return _exhaustive;
    }
  }
}
