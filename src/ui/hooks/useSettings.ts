/**
 * The settings form's text, kept in the page's address so that copying it shares them: the
 * settings a link carries (?batch=64&lr=0.002), else the Tutorial's; whether the link's had
 * problems; and the config they parse to, with each field's problem.
 */
import { useEffect, useMemo, useState } from 'react';
import { TUTORIAL_PRESET } from '../../shared/config';
import { configToText, parseSettings, type SettingsText } from '../controls/settings';
import { searchWithSettings, settingsFromSearch } from '../controls/settingsUrl';

export function useSettings() {
  const [fromLink] = useState(() => settingsFromSearch(location.search, configToText(TUTORIAL_PRESET)));
  const [text, setText] = useState<SettingsText>(fromLink.text);
  const parsed = useMemo(() => parseSettings(text), [text]);
  useEffect(() => {
    const search = searchWithSettings(location.search, text, configToText(TUTORIAL_PRESET));
    if (search !== location.search)
      history.replaceState(history.state, '', `${location.pathname}${search}${location.hash}`);
  }, [text]);
  const [linkHadProblems] = useState(
    () => fromLink.fromLink && Object.keys(parseSettings(fromLink.text).errors).length > 0,
  );
  const valid = Object.keys(parsed.errors).length === 0;
  return { text, setText, ...parsed, valid, linkHadProblems };
}

export type Settings = ReturnType<typeof useSettings>;
