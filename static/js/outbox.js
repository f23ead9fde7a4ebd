// The outbox: field records waiting for the network, kept in localStorage.
//
// A record is first sent straight away; if the network is down it waits here
// and is re-sent when the browser comes back online, and every 30 seconds.
// Each record carries a client_uuid, so a record whose response was lost on
// the way back is recognised by the server and never stored twice. Only the
// form's own fields are kept (no ID numbers or phone numbers).
(function () {
  "use strict";
  const KEY = "policing.outbox.v1";
  const listeners = new Set();
  // Client errors that say "not now" rather than "never": logged out or
  // CSRF (401/403), timed out (408), throttled (429).
  const RETRY_LATER = new Set([401, 403, 408, 429]);
  let flushing = null;

  function load() {
    try {
      return JSON.parse(localStorage.getItem(KEY)) || [];
    } catch (error) {
      return [];
    }
  }

  function save(items) {
    localStorage.setItem(KEY, JSON.stringify(items));
    listeners.forEach((listener) => listener(items));
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  async function post(url, payload) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(),
      },
      body: JSON.stringify(payload),
    });
  }

  // Send one record now. Resolve to {status: "sent", data}, {status: "queued"}
  // (kept for later), {status: "invalid", errors} or {status: "login"}.
  async function submit(url, payload, label) {
    let response;
    try {
      response = await post(url, payload);
    } catch (error) {
      save([...load(), { url, payload, label, queuedAt: new Date().toISOString() }]);
      return { status: "queued" };
    }
    return interpret(response, () =>
      save([...load(), { url, payload, label, queuedAt: new Date().toISOString() }]),
    );
  }

  async function interpret(response, keep) {
    if (response.ok) {
      return { status: "sent", data: await response.json() };
    }
    // Any other client error is a refusal that no resend will change; left
    // queued, it would also hold back every record behind it.
    if (response.status >= 400 && response.status < 500 && !RETRY_LATER.has(response.status)) {
      let errors = {};
      try {
        errors = await response.json();
      } catch (error) {
        errors = {};
      }
      return { status: "invalid", errors };
    }
    keep();
    return { status: response.status === 401 || response.status === 403 ? "login" : "queued" };
  }

  // Send every waiting record, oldest first; stop at the first network error.
  // Resolve to the number of records sent.
  function flush() {
    if (flushing) {
      return flushing;
    }
    const run = sendWaiting();
    flushing = run;
    // Cleared after the assignment: a run with nothing to send has already
    // finished by the time it is assigned.
    run.finally(() => {
      if (flushing === run) {
        flushing = null;
      }
    });
    return run;
  }

  async function sendWaiting() {
    let sent = 0;
    for (const item of load()) {
      if (item.errors) {
        continue;
      }
      let response;
      try {
        response = await post(item.url, item.payload);
      } catch (error) {
        return sent;
      }
      const result = await interpret(response, () => {});
      const rest = load().filter((other) => other.payload.client_uuid !== item.payload.client_uuid);
      if (result.status === "sent") {
        sent += 1;
        save(rest);
      } else if (result.status === "invalid") {
        save([...rest, { ...item, errors: result.errors }]);
      } else {
        return sent;
      }
    }
    return sent;
  }

  function discard(clientUuid) {
    save(load().filter((item) => item.payload.client_uuid !== clientUuid));
  }

  // Change the fields of a record still waiting (a patrol stopped before its
  // start was sent). Resolve to whether it was still waiting.
  function update(clientUuid, fields) {
    const items = load();
    const item = items.find((other) => other.payload.client_uuid === clientUuid);
    if (!item || item.errors) {
      return false;
    }
    Object.assign(item.payload, fields);
    save(items);
    return true;
  }

  // Call onSent once the waiting record has left the outbox, sent. A record
  // the server refuses stays, marked, and is no longer watched.
  function whenSent(clientUuid, onSent) {
    const listener = (items) => {
      const item = items.find((other) => other.payload.client_uuid === clientUuid);
      if (!item) {
        listeners.delete(listener);
        onSent();
      } else if (item.errors) {
        listeners.delete(listener);
      }
    };
    listeners.add(listener);
  }

  function isWaiting(clientUuid) {
    return load().some((item) => item.payload.client_uuid === clientUuid);
  }

  window.addEventListener("online", flush);
  setInterval(flush, 30000);

  window.outbox = {
    submit,
    flush,
    discard,
    update,
    whenSent,
    isWaiting,
    uuid,
    csrfToken,
    items: load,
    onChange: (listener) => listeners.add(listener),
  };
})();
