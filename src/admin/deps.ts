import type { WorkerDeps } from '../../jobs/workers.ts';

/**
 * The running service's parts, built by the entry point and passed down: the app, its routes, the
 * workers. They are the workers' parts: only the terminal chat's demo adds where its pushes are shown.
 */
export type ServiceDeps = Omit<WorkerDeps, 'terminal'>;
