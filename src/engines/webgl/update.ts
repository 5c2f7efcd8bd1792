/**
 * The optimizer update as WebGL programs over the packed flat vectors (glsl.ts): PyTorch's
 * formulas (../optimizer.ts), with the step's scalars computed there.
 */
import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import type { OptimizerName } from '../../shared/config';
import { ADAM, MOMENTUM, RMSPROP, updateScalars } from '../optimizer';
import { glf } from './glsl';

/**
 * One optimizer as GLSL expressions on vec4s (two entries of each vector, packed). Each is the
 * body of an element-wise program (elementwiseProgram).
 */
export interface UpdateRule {
  /** Each state vector's new value, from its old value `s` and the gradient `g`. */
  slots: string[];
  /** The new parameters, from `p`, `g`, the new state vectors `s0`, `s1` and uniforms `rate`, `eps`. */
  param: string;
  /** The uniforms' values at step `steps` (counted from 1). */
  uniforms(lr: number, steps: number): [rate: number, eps: number];
}

export function updateRule(name: OptimizerName): UpdateRule {
  const uniforms = (lr: number, steps: number): [number, number] => {
    const { rate, eps } = updateScalars(name, lr, steps);
    return [rate, eps];
  };
  switch (name) {
    case 'sgd':
      return { slots: [], param: 'p - rate * g', uniforms };
    case 'momentum':
      return { slots: [`${glf(MOMENTUM)} * s + g`], param: 'p - rate * s0', uniforms };
    case 'rmsprop':
      return {
        slots: [`${glf(RMSPROP.alpha)} * s + ${glf(1 - RMSPROP.alpha)} * g * g`],
        param: 'p - rate * g / (sqrt(s0) + eps)',
        uniforms,
      };
    case 'adam': {
      const { beta1, beta2 } = ADAM;
      return {
        slots: [`${glf(beta1)} * s + ${glf(1 - beta1)} * g`, `${glf(beta2)} * s + ${glf(1 - beta2)} * g * g`],
        param: 'p - rate * s0 / (sqrt(s1) + eps)',
        uniforms,
      };
    }
    default: {
      const _exhaustive: never = name;
      throw new Error(`unknown optimizer ${String(_exhaustive)}`);
    }
  }
}

/** Element-wise over same-shape packed vectors: every input's texel is the output's own (resultUV). */
export function elementwiseProgram(
  inputs: string[],
  expression: string,
  size: number,
  uniforms: string[] = [],
): GPGPUProgram {
  return {
    // The samplers are named <input>Tex so the GLSL can call the values themselves p, g, s...
    variableNames: inputs.map((n) => `${n}Tex`),
    outputShape: [size],
    packedInputs: true,
    packedOutput: true,
    customUniforms: uniforms.map((name) => ({ name, type: 'float' as const })),
    userCode: `
      void main() {
        ${inputs.map((n) => `vec4 ${n} = texture(${n}Tex, resultUV);`).join('\n')}
        setOutput(${expression});
      }`,
  };
}
