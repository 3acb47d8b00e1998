import { useEffect, useState } from 'preact/hooks';
import type { UploadItem, UploadQueue } from '../uploads/upload-queue';

/** The queue's uploads, re-rendering on every change. */
export const useUploadItems = (queue: UploadQueue): readonly UploadItem[] => {
  const [items, setItems] = useState(queue.items);
  useEffect(() => {
    setItems(queue.items);
    return queue.subscribe(() => setItems(queue.items));
  }, [queue]);
  return items;
};
