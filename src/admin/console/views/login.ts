import { html } from 'hono/html';
import { CONSOLE_PATH } from '../../../chat/context.ts';
import { type Html, page } from '../layout.ts';

// The sign-in pages: how to get a link (and IT's token form), and the page a link opens, whose
// form enter.js posts at once.

export interface SignInModel {
  /** What the page says above the card: a notice, or why the sign-in failed. */
  message: { kind: 'notice' | 'error'; text: string } | null;
  /** Whether IT may sign in with ADMIN_TOKEN here (it is set). */
  tokenForm: boolean;
}

export function signInView(m: SignInModel): Html {
  return page({
    title: '登录',
    body: html`<div class="login">
      <h1>同心控制台</h1>
      ${m.message ? html`<div class="${m.message.kind}">${m.message.text}</div>` : ''}
      <div class="card">
        <p>支部书记和机关党委管理员：请在钉钉或企业微信中<strong>私聊</strong>机器人，发送「控制台」，打开回复中的登录链接。</p>
        ${
          m.tokenForm
            ? html`<form method="post" action="${CONSOLE_PATH}/login">
                <label for="token">系统管理员令牌（ADMIN_TOKEN）</label>
                <input id="token" name="token" type="password" autocomplete="current-password" required />
                <button class="primary" type="submit">登录</button>
              </form>`
            : ''
        }
      </div>
    </div>`,
  });
}

/** The page a sign-in link opens: its token in a form that posts it. */
export function enterView(token: string): Html {
  return page({
    title: '登录',
    scripts: ['enter.js'],
    body: html`<div class="login">
      <h1>同心控制台</h1>
      <div class="card">
        <form id="enter" method="post" action="${CONSOLE_PATH}/login">
          <input type="hidden" name="t" value="${token}" />
          <p>正在登录……</p>
          <button class="primary" type="submit">进入控制台</button>
        </form>
      </div>
    </div>`,
  });
}
