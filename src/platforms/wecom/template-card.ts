import { CARD_BUTTON_TEXT, type CardAction, type MeetingCard, cardTaskId } from '../../domain/cards.ts';
import { type OutboundMessage, cardWithoutMentions, withoutMentions } from '../../domain/outbound.ts';

// What the WeCom AI bot's long connection carries for the service, in one place: a push to a chat
// (a meeting's card as a button_interaction template card, else markdown) and a pressed card as its
// presser should now see it. A push over the socket cannot @-mention: it names nobody and carries
// the message's count of those not named instead.

/** A button_interaction template card, as @wecom/aibot-node-sdk types it (the fields the service fills). */
export interface ButtonCard {
  card_type: 'button_interaction';
  main_title: { title: string };
  sub_title_text?: string;
  horizontal_content_list: { keyname: string; value: string }[];
  button_list: { text: string; style: number; key: CardAction }[];
  task_id: string;
}

/** What aibot_send_msg carries: the chat and the message. */
export type PushBody =
  | { chatid: string; msgtype: 'template_card'; template_card: ButtonCard }
  | { chatid: string; msgtype: 'markdown'; markdown: { content: string } };

/** WeCom shows a row's label in at most 5 characters and its value in 26; a longer value is cut, and says so. */
const KEYNAME_CHARS = 5;
const VALUE_CHARS = 26;

const clip = (text: string, chars: number, mark = '') => {
  const all = [...text];
  return all.length <= chars ? text : `${all.slice(0, chars - mark.length).join('')}${mark}`;
};

/** 签到 stands out; 请假 is the quieter choice. */
const BUTTON_STYLE: Record<CardAction, number> = { checkin: 1, leave: 2 };

/** `card` as a WeCom template card under `taskId`. */
export function templateCard(card: MeetingCard, taskId: string): ButtonCard {
  return {
    card_type: 'button_interaction',
    main_title: { title: card.title },
    ...(card.note ? { sub_title_text: card.note } : {}),
    horizontal_content_list: card.rows.map((row) => ({
      keyname: clip(row.label, KEYNAME_CHARS),
      value: clip(row.value, VALUE_CHARS, '…'),
    })),
    button_list: card.actions.map((action) => ({ text: CARD_BUTTON_TEXT[action], style: BUTTON_STYLE[action], key: action })),
    task_id: taskId,
  };
}

/** A push to the group `chatId`: its card where it has one (`sendKey`: the delivery's), else its markdown. */
export function pushBody(message: OutboundMessage, chatId: string, sendKey: string): PushBody {
  if (message.card) {
    const taskId = cardTaskId(message.card, chatId, sendKey);
    // The socket cannot @-mention: a nudge's card carries the count instead.
    const card = cardWithoutMentions(message.card, message.unmentioned);
    return { chatid: chatId, msgtype: 'template_card', template_card: templateCard(card, taskId) };
  }
  return { chatid: chatId, msgtype: 'markdown', markdown: { content: withoutMentions(message) } };
}

/** A private push: markdown to the member's userid. */
export const privateBody = (userid: string, markdown: string): PushBody => ({
  chatid: userid,
  msgtype: 'markdown',
  markdown: { content: markdown },
});

/** The update of a pressed card for its presser only: the card under the task id it was pressed on. */
export const cardUpdate = (card: MeetingCard, taskId: string, presser: string) => ({
  response_type: 'update_template_card',
  userids: [presser],
  template_card: templateCard(card, taskId),
});
