/**
 * GLSL helpers shared by the training step's programs (programs.ts): how a program reads tfjs's
 * textures texel by texel. tfjs's packed layout: a 2D [R, C] tensor holds the 2x2 block
 * (r, c) (r, c+1) (r+1, c) (r+1, c+1) in one RGBA texel, a 1D one the pair (i, i+1, 0, 0); an
 * unpacked tensor one value per texel. tfjs picks each texture's shape (TexShape); the programs
 * are built for the shapes of their inputs.
 */

/** [rows, columns] of an input's texture as tfjs lays it out (before halving, when packed). */
export type TexShape = [number, number];

/** A GLSL float literal. */
export function glf(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : x.toExponential();
}

/** ReLU that keeps NaN (max(x, 0) may not), so a diverging run shows in the loss. */
export const RELU = `
  float relu(float x) { return isnan(x) || x > 0.0 ? x : 0.0; }
  vec4 relu(vec4 v) { return vec4(relu(v.x), relu(v.y), relu(v.z), relu(v.w)); }`;

/**
 * GLSL for a texture of [rows, cols] texels: ${name}Fetch(p), the texel at p, read with texture()
 * at its centre (on SwiftShader it measured twice as fast as texelFetch); ${name}Texel(t), where
 * texel t of the row-major order sits.
 */
export function texels(name: string, [rows, cols]: TexShape): string {
  return `
    const vec2 ${name}Inv = vec2(${1 / cols}, ${1 / rows});
    vec4 ${name}Fetch(ivec2 p) { return texture(${name}, (vec2(p) + 0.5) * ${name}Inv); }
    ivec2 ${name}Texel(int t) { int row = t / ${cols}; return ivec2(t - row * ${cols}, row); }`;
}

/**
 * GLSL for a packed 1D input: as texels(), and ${name}Pair(i) for i even:
 * vec2(v[i], v[i + 1]).
 */
export function packedVector(name: string, tex: TexShape): string {
  return `
    ${texels(name, packedTexels(tex))}
    vec2 ${name}Pair(int i) { return ${name}Fetch(${name}Texel(i >> 1)).xy; }`;
}

/**
 * GLSL for a packed 2D input of `cols` columns: ${name}Block(r, c) for r, c even, the texel
 * (r, c) (r, c+1) (r+1, c) (r+1, c+1); ${name}Grid(tc, tr), the same block as
 * ${name}Block(2 tr, 2 tc); ${name}At(r, c), one value.
 */
export function packedMatrix(name: string, cols: number, tex: TexShape): string {
  const texelsPerRow = Math.ceil(cols / 2);
  const size = packedTexels(tex);
  const fetch =
    size[1] === texelsPerRow
      ? `${name}Fetch(ivec2(c >> 1, r >> 1))`
      : `${name}Fetch(${name}Texel((r >> 1) * ${texelsPerRow} + (c >> 1)))`;
  // Hot loops walk the grid of blocks with float coordinates: no int to float per fetch.
  const grid =
    size[1] === texelsPerRow
      ? `texture(${name}, (vec2(tc, tr) + 0.5) * ${name}Inv)`
      : `${name}Block(int(tr) * 2, int(tc) * 2)`;
  return `
    ${texels(name, size)}
    vec4 ${name}Block(int r, int c) { return ${fetch}; }
    vec4 ${name}Grid(float tc, float tr) { return ${grid}; }
    float ${name}At(int r, int c) { return ${name}Block(r & ~1, c & ~1)[((r & 1) << 1) + (c & 1)]; }`;
}

/** GLSL for an unpacked 1D or 2D input read by flat index: ${name}Flat(i). */
export function flatAccess(name: string, tex: TexShape): string {
  return `
    ${texels(name, tex)}
    float ${name}Flat(int i) { return ${name}Fetch(${name}Texel(i)).r; }`;
}

/** The [rows, cols] of texels of a packed texture: tfjs halves its texShape. */
export function packedTexels([rows, cols]: TexShape): TexShape {
  return [Math.ceil(rows / 2), Math.ceil(cols / 2)];
}
