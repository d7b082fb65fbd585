import { useEffect } from 'react';

/** WeChat shows `document.title` in its title bar (pass a catalogue entry). */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title;
  }, [title]);
}
