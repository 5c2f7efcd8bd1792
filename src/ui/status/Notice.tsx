/** A notice the page shows until the user dismisses it (a link's problem, say). */
import { useState, type ReactNode } from 'react';

export function Notice({ children }: { children: ReactNode }) {
  const [seen, setSeen] = useState(false);
  if (seen) return null;
  return (
    <p className="notice" role="status">
      {children}{' '}
      <button type="button" className="link-button" onClick={() => setSeen(true)}>
        Dismiss
      </button>
    </p>
  );
}
