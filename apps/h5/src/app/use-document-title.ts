import { useEffect } from 'react';

/** WeChat shows `document.title` in its title bar. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title;
  }, [title]);
}
