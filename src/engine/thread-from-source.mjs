// Run from source (tsx, vitest), an inference thread registers tsx's loader before importing
// its TypeScript entry: Node 20 does not pass the parent's --import hooks to worker threads.
import { register } from 'tsx/esm/api';

register();
await import('./thread.ts');
