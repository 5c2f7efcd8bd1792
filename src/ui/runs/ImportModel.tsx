/**
 * "Import model": a .safetensors file, or a TF.js model.json with its weights file, made the
 * current model; what it scored is said under it, and a refusal goes to the panel's problem line.
 */
import { useId, useState } from 'react';

interface Props {
  /** False while a run trains: a model cannot be imported under it. */
  canImport: boolean;
  onImport: (files: File[]) => Promise<{ name: string; model: string; accuracy: number }>;
  /** Says what went wrong (null: nothing any more). */
  onProblem: (problem: string | null) => void;
}

export function ImportModel({ canImport, onImport, onProblem }: Props) {
  const [imported, setImported] = useState<string | null>(null);
  const importId = useId();
  const pick = (files: File[]) => {
    const picked = files.map((f) => f.name).join(' and ');
    setImported(null);
    void onImport(files).then(
      (r) => {
        onProblem(null);
        setImported(
          `Imported ${r.name}: ${r.model}, test accuracy ${(r.accuracy * 100).toFixed(2)}% on the 10,000 test images. It reads your drawings now.`,
        );
      },
      (err: Error) =>
        onProblem(
          `${picked} ${files.length > 1 ? 'were' : 'was'} not imported: ${err.message} The current model is unchanged.`,
        ),
    );
  };
  return (
    <>
      <div className="import-row">
        <label htmlFor={importId}>Import model</label>
        <input
          id={importId}
          type="file"
          accept=".safetensors,.json,.bin"
          multiple
          disabled={!canImport}
          aria-describedby={`${importId}-hint`}
          onChange={(e) => {
            const files = Array.from(e.target.files ?? []);
            e.target.value = ''; // the same file may be picked again
            if (files.length) pick(files);
          }}
        />
        <span id={`${importId}-hint`} className="hint">
          a .safetensors file with the tutorial&apos;s names (fc1.weight, ...; conv1.weight first for a CNN),
          as PyTorch&apos;s state_dict has them; or a TensorFlow.js model.json picked together with its
          weights file
        </span>
      </div>
      {imported && (
        <p className="notice-ok" role="status">
          {imported}
        </p>
      )}
    </>
  );
}
