// What a message is shaped for: the kind of message it goes out as and who reads it.

/**
 * The kind of message a markdown text must fit, which decides its size limit: `wecom` a group
 * robot's markdown, `wecom-app` an app message's (a smaller limit), `dingtalk` a robot message.
 */
export type MessageFormat = 'wecom' | 'wecom-app' | 'dingtalk';

/** Who reads it: the secretary privately, or a branch's group chat (counts, never names). */
export type Audience = 'private' | 'group';
