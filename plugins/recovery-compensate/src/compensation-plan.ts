import type { RecoveryInput, RecoveryPlan } from '@tandem/core';
import { restoreCommand } from './restore-command.js';

/** The steps execute() takes, as text for operators; no side effects. */
export function compensationPlan(input: RecoveryInput, mirrorDir: string): RecoveryPlan {
  const steps = [
    { id: 'read-mirror', description: `find the end of the WAL mirrored in ${mirrorDir} (pg_waldump on the newest segment); refuse if it is unreadable${input.acceptDataLoss ? ' (data loss accepted: continue and report the loss)' : ''}` },
    { id: 'compare', description: `compare it with ${input.candidate.name}'s pg_last_wal_replay_lsn(); nothing to do when replay has reached it` },
    { id: 'feed-mirror', description: `ALTER SYSTEM SET restore_command = '${restoreCommand(mirrorDir)}', primary_conninfo = '' (stop waiting on ${input.failed.name}), a short wal_retrieve_retry_interval; pg_reload_conf()` },
    { id: 'resume-replay', description: 'resume WAL replay if it is paused' },
    { id: 'wait-replay', description: 'wait until replay reaches the mirror end (bounded by the call deadline)' },
    { id: 'verify', description: 'read the replay position again and report the bytes and LSN range compensated' },
  ];
  return { steps, summary: `compensate ${input.candidate.name} from the WAL mirror ${mirrorDir} before promotion at epoch ${input.epoch} (${input.kind} from ${input.failed.name})` };
}
