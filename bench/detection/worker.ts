import { parentPort } from 'node:worker_threads';
import { type Job, runJob } from './job';

/** A worker thread of run.ts: runs each job it is sent and answers with its tallies. */
if (!parentPort) throw new Error('bench/detection/worker.ts runs as a worker thread of run.ts');
const port = parentPort;
port.on('message', (job: Job) => port.postMessage(runJob(job)));
