// Visible, dismissable error bar. Every error shown here is also logged to the console.

const MAX_SHOWN = 5;

export function createErrorBar(el) {
  const list = el.querySelector('#error-list');
  const dismiss = el.querySelector('#error-dismiss');
  /** @type {{text: string, count: number}[]} */
  let entries = [];

  function render() {
    list.replaceChildren(
      ...entries.map(({ text, count }) => {
        const li = document.createElement('li');
        li.className = 'error-item';
        li.dataset.testid = 'error-message';
        li.textContent = count > 1 ? `${text} (×${count})` : text;
        return li;
      }),
    );
    el.hidden = entries.length === 0;
  }

  dismiss.addEventListener('click', () => {
    entries = [];
    render();
  });

  return {
    /** Show a message; the same text again only bumps a counter. */
    show(text) {
      const same = entries.find((e) => e.text === text);
      if (same) same.count += 1;
      else entries.push({ text, count: 1 });
      if (entries.length > MAX_SHOWN) entries = entries.slice(-MAX_SHOWN);
      render();
    },
    /** Show "context: message" for an Error (or anything thrown). */
    report(context, err) {
      console.error(context, err);
      const msg = err && err.message ? err.message : String(err);
      this.show(context ? `${context}: ${msg}` : msg);
    },
    clear() {
      entries = [];
      render();
    },
  };
}
