import { describe, expect, it } from 'vitest';
import { TUTORIAL_PRESET } from '../../shared/config';
import { configToText, parseSettings } from './settings';
import { searchWithSettings, settingsFromSearch } from './settingsUrl';

const base = configToText(TUTORIAL_PRESET);

describe('settings in the address', () => {
  it('writes only what differs from the Tutorial, keeps the tab, and reads it back', () => {
    const text = { ...base, batchSize: '64', learningRate: '0.002', hiddenLayers: '128' };
    const search = searchWithSettings('?tab=analysis', text, base);
    expect(search).toBe('?tab=analysis&batch=64&lr=0.002&hidden=128');
    expect(settingsFromSearch(search, base)).toEqual({ text, fromLink: true });
    expect(searchWithSettings('?tab=runs&batch=64', base, base)).toBe('?tab=runs');
  });

  it('writes a CNN with its conv layers', () => {
    const text = { ...base, model: 'cnn' as const, convLayers: '8x5, 16x5', hiddenLayers: '' };
    expect(searchWithSettings('', text, base)).toBe('?model=cnn&conv=8x5%2C+16x5&hidden=');
  });

  it('puts a link’s invalid values into the form, where validation names them', () => {
    const { text, fromLink } = settingsFromSearch('?batch=0&optimizer=magic&lr=fast', base);
    expect(fromLink).toBe(true);
    const { errors } = parseSettings(text);
    expect(errors.batchSize).toMatch(/Batch size must be a whole number from 1 to 4096/);
    expect(errors.optimizer).toMatch(/Optimizer must be one of/);
    expect(errors.learningRate).toMatch(/Learning rate must be a number/);
    expect(settingsFromSearch('?tab=runs', base)).toEqual({ text: base, fromLink: false });
  });
});
