/**
 * Runs and models as files a user takes away or brings: a saved run's weights for PyTorch
 * (safetensors) or TensorFlow.js (a layers model), its log as CSV; a picked model file checked
 * for what the page can tell before the worker reads it (how many files, how large).
 */
import { TUTORIAL_PRESET } from '../shared/config';
import { describeModel } from '../shared/modelSpec';
import type { ImportedModel, Requests } from '../shared/protocol';
import { MAX_FILE_BYTES } from '../shared/safetensors';
import type { RequestBody } from './requests';
import { runCsv } from './runCsv';
import type { RunData, RunSummary } from './runLedger';
import type { TrainingClient } from './trainingClient';

/** What a run can be exported as: PyTorch's safetensors, TF.js's layers model, the CSV log. */
export type ExportKind = 'safetensors' | 'tfjs' | 'csv';

export interface ExportFile {
  name: string;
  type: string;
  data: BlobPart;
}

/** A file name from a run's name: "Run 3 MLP 784-64-10" -> "run-3-mlp-784-64-10". */
export function fileName(name: string, extension: string): string {
  const base =
    name
      .replace(/[^\w.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase() || 'run';
  return `${base}.${extension}`;
}

/** The saved run `summary` with `data` as the files of `as` (the worker writes the model formats). */
export async function exportFiles(
  client: TrainingClient,
  summary: RunSummary,
  data: RunData,
  as: ExportKind,
): Promise<ExportFile[]> {
  const name = `${summary.name} ${summary.model}`;
  if (as === 'csv') {
    const perEpoch = summary.totalBatches / Math.max(1, summary.config.epochs);
    const csv = runCsv({ name, ...data, batchesPerEpoch: perEpoch });
    return [{ name: fileName(name, 'csv'), type: 'text/csv', data: csv }];
  }
  if (!data.weights) throw new Error(`"${summary.name}" has no saved weights yet.`);
  const { model } = data.weights;
  const params = data.weights.params.slice(); // transferred: the caller keeps its own
  if (as === 'tfjs') {
    const weightsPath = fileName(name, 'weights.bin');
    const files = await client.request(
      { type: 'exportLayers', model, params, weightsPath: `./${weightsPath}` },
      [params.buffer],
    );
    return [
      { name: fileName(name, 'json'), type: 'application/json', data: files.modelJson },
      { name: weightsPath, type: 'application/octet-stream', data: files.weights },
    ];
  }
  const metadata: Record<string, string> = { run: summary.name };
  if (summary.testAccuracy !== null) metadata.test_accuracy = String(summary.testAccuracy);
  const bytes = await client.request({ type: 'exportSafetensors', model, params, metadata }, [params.buffer]);
  return [
    {
      name: fileName(name, 'safetensors'),
      type: 'application/octet-stream',
      data: bytes as Uint8Array<ArrayBuffer>,
    },
  ];
}

/** The request that imports the files a user picked, and the name the import goes by. */
export type ImportRequest = {
  name: string;
  transfer: Transferable[];
} & ({ body: RequestBody<Requests, 'importSafetensors'> } | { body: RequestBody<Requests, 'importLayers'> });

/**
 * The picked files as the format they are: one .safetensors (PyTorch), or a model.json and its
 * weights files (TF.js). Rejects, naming the problem, when they are neither, or too large.
 */
export async function importRequest(files: File[]): Promise<ImportRequest> {
  const json = files.find((f) => f.name.toLowerCase().endsWith('.json'));
  if (json) return { name: json.name, body: { type: 'importLayers', files }, transfer: [] };
  if (files.length !== 1)
    throw new Error(
      `${files.length} files were picked without a model.json: pick one .safetensors file, or a TF.js model.json with its weights file.`,
    );
  const [file] = files;
  if (file.size > MAX_FILE_BYTES)
    throw new Error(
      `${file.name} is ${(file.size / 1e6).toFixed(0)} MB; a model file here is at most ${MAX_FILE_BYTES / 1e6} MB.`,
    );
  const bytes = new Uint8Array(await file.arrayBuffer());
  return { name: file.name, body: { type: 'importSafetensors', bytes }, transfer: [bytes.buffer] };
}

/** The run an imported model is kept as in the ledger (numbered when written): done, its test accuracy. */
export function importedRun(fileName: string, imported: ImportedModel): RunSummary {
  return {
    id: `${Date.now().toString(36)}-import`,
    number: 0,
    name: `Imported ${fileName}`.slice(0, 80),
    createdAt: Date.now(),
    config: { ...TUTORIAL_PRESET, model: imported.model },
    model: describeModel(imported.model),
    engine: 'imported',
    state: 'done',
    trainingSeconds: 0,
    batches: 0,
    totalBatches: 0,
    testAccuracy: imported.accuracy,
    bytes: imported.params.byteLength,
    hasWeights: true,
  };
}
