/**
 * The settings in the page's address, so that a link shares them: `?batch=64&epochs=2&lr=0.002`.
 * Only what differs from the Tutorial preset is written; a link's values go into the form as they
 * are, so invalid ones are marked and explained there as typed ones are. Pure.
 */
import type { SettingsText } from './settings';

/** Each setting's name in the address. */
const PARAMS: Record<keyof SettingsText, string> = {
  epochs: 'epochs',
  batchSize: 'batch',
  learningRate: 'lr',
  optimizer: 'optimizer',
  decay: 'decay',
  decayRate: 'decayRate',
  decaySteps: 'decaySteps',
  model: 'model',
  convLayers: 'conv',
  hiddenLayers: 'hidden',
  seed: 'seed',
  evalEvery: 'evalEvery',
  evalSamples: 'evalImages',
};

const KEYS = Object.keys(PARAMS) as (keyof SettingsText)[];

/** The form's text from the address: `base` with every setting the address names put in. */
export function settingsFromSearch(
  search: string,
  base: SettingsText,
): { text: SettingsText; fromLink: boolean } {
  const params = new URLSearchParams(search);
  const text = { ...base };
  let fromLink = false;
  for (const key of KEYS) {
    const value = params.get(PARAMS[key]);
    if (value === null) continue;
    // Select fields get the link's word as it is: validation names it if it is not an option.
    (text as Record<string, string>)[key] = value.slice(0, 200);
    fromLink = true;
  }
  return { text, fromLink };
}

/** The query string with the settings that differ from `base`, other parameters (the tab) kept. */
export function searchWithSettings(search: string, text: SettingsText, base: SettingsText): string {
  const params = new URLSearchParams(search);
  for (const key of KEYS) {
    const name = PARAMS[key];
    // A CNN's conv layers matter only when a CNN is chosen.
    const unused = key === 'convLayers' && text.model !== 'cnn';
    if (unused || text[key].trim() === base[key].trim()) params.delete(name);
    else params.set(name, text[key].trim());
  }
  const out = params.toString();
  return out ? `?${out}` : '';
}
