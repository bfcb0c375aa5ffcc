// Login, logout and the caller's role. The UI shows only what the role allows: elements
// marked data-min-role="allocator" (or "admin") are hidden from lower roles, and every
// change the server refuses is still shown in the error bar.
import { getJSON, onUnauthorized, postJSON, setCsrfToken } from './api.js';
import { $, el } from './dom.js';
import { t } from './i18n.js';

const RANK = { anonymous: 0, viewer: 1, allocator: 2, admin: 3 };

export function createAuth({ boxEl, dialogEl, errors }) {
  let user = null; // {username, role, display_name}
  const listeners = new Set();

  function role() {
    return user ? user.role : 'anonymous';
  }

  /** Whether the caller has at least minRole. */
  function can(minRole) {
    return (RANK[role()] ?? 0) >= (RANK[minRole] ?? 99);
  }

  function applyRoleVisibility(root = document) {
    document.body.dataset.role = role();
    for (const node of root.querySelectorAll('[data-min-role]')) node.hidden = !can(node.dataset.minRole);
  }

  function renderBox() {
    if (!user) {
      boxEl.replaceChildren(
        el('button', { type: 'button', class: 'btn-topbar', id: 'login-open', 'data-testid': 'login-open', onclick: open }, t('auth.login')),
      );
      return;
    }
    boxEl.replaceChildren(
      el('span', { class: 'user-name', 'data-testid': 'user-name' }, user.display_name || user.username),
      el('span', { class: `role-badge role-${user.role}`, 'data-testid': 'user-role' }, t(`role.${user.role}`)),
      el('button', { type: 'button', class: 'btn-topbar', id: 'logout', 'data-testid': 'logout', onclick: logout }, t('auth.logout')),
    );
  }

  function set(next, csrf) {
    user = next;
    setCsrfToken(next ? csrf : '');
    renderBox();
    applyRoleVisibility();
    for (const fn of listeners) fn(user);
  }

  // ---- dialog ----
  const form = $('form', dialogEl);
  const message = $('#login-error', dialogEl);
  function open() {
    message.hidden = true;
    form.reset();
    dialogEl.showModal();
    $('#login-username', dialogEl).focus();
  }
  $('#login-cancel', dialogEl).addEventListener('click', () => dialogEl.close());
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const submit = $('#login-submit', dialogEl);
    submit.disabled = true;
    message.hidden = true;
    try {
      const res = await postJSON('/api/login', {
        username: $('#login-username', dialogEl).value.trim(),
        password: $('#login-password', dialogEl).value,
      });
      dialogEl.close();
      set(res.user, res.csrf_token);
    } catch (err) {
      message.textContent = err.status === 401 ? t('auth.wrong') : `${t('auth.failed')}: ${err.message}`;
      message.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });

  async function logout() {
    try {
      await postJSON('/api/logout', {});
    } catch (err) {
      errors.report(t('auth.logoutFailed'), err);
    }
    set(null);
  }

  onUnauthorized(() => {
    if (!user) return;
    set(null);
    errors.show(t('auth.expired'));
  });

  return {
    /** Reads the current session (a reloaded page keeps its login). */
    async init() {
      try {
        const me = await getJSON('/api/me');
        set(me.user, me.csrf_token);
      } catch (err) {
        if (err.status !== 401) errors.report(t('auth.meFailed'), err);
        set(null);
      }
    },
    open,
    logout,
    can,
    role,
    get user() {
      return user;
    },
    onChange(fn) {
      listeners.add(fn);
    },
    applyRoleVisibility,
    render: renderBox,
  };
}
