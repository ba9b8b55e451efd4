/**
 * One outbound message's fate, as the outbound queue sees it: delivered; delay on 'rate-limited'
 * (costs no attempt); fail fast on 'permanent'; back off and retry on 'retry'.
 */
export type SendResult =
  | { delivered: true }
  | { delivered: false; kind: 'rate-limited' | 'permanent' | 'retry'; errcode?: number; reason: string };

export type SendFailure = Extract<SendResult, { delivered: false }>;

/** A send that no retry would help. */
export const permanent = (reason: string): SendFailure => ({ delivered: false, kind: 'permanent', reason });
