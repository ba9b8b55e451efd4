import { DAY_MS } from '../core/duration.ts';

/**
 * How long the reason asked for after a 请假 by button is waited for: within it, the member's next
 * private line that is no command is that reason.
 */
export const LEAVE_REASON_WAIT_MS = 3 * DAY_MS;
