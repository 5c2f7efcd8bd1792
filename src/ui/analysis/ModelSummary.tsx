/** The model as print(net) shows it: every layer, its output shape and parameter count, the total. */
import type { ModelSpec } from '../../shared/modelSpec';
import { describeModel } from '../../shared/modelSpec';
import { modelSummary } from './analysis';
import { formatCount } from '../../shared/format';

export function ModelSummary({ spec }: { spec: ModelSpec }) {
  const { rows, total } = modelSummary(spec);
  const n = (v: number) => formatCount(v);
  return (
    <div className="table-scroll">
      <table className="data-table summary" aria-label="Model summary">
        <caption>{describeModel(spec)}; output shapes per image, as PyTorch orders them.</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Layer</th>
            <th scope="col">Output shape</th>
            <th scope="col">Parameters</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <td>{r.name}</td>
              <td>
                <code>{r.layer}</code>
              </td>
              <td>[{r.output.join(', ')}]</td>
              <td>{n(r.parameters)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={3}>
              Total
            </th>
            <td>{n(total)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
