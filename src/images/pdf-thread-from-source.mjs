// Run from source (tsx, vitest), the PDF thread registers tsx's loader before importing its
// TypeScript entry: Node 20 does not pass the parent's --import hooks to worker threads.
import { register } from 'tsx/esm/api';

register();
await import('./pdf-thread.ts');
