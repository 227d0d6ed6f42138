// Plain-JS entry of a pool thread running from src/: registers tsx in this thread first, then
// loads the TypeScript worker (a thread's inherited `--import tsx` can lose the race against
// the thread's first import, so it is not relied on).
import { register } from 'tsx/esm/api';

register();
const { default: runPoolJob } = await import('./pool-worker.ts');
export default runPoolJob;
