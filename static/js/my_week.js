// "My week": patrol start/stop and the records still waiting to be sent.
//
// Both patrol steps go through the outbox with the moment of the tap, so a
// patrol started or stopped in a dead zone keeps its true times. A start
// still waiting is shown as running, never as a start button to tap again.
(function () {
  "use strict";
  const PATROLS = "/api/v1/patrols/";
  const status = document.querySelector("[data-outbox-status]");
  const error = document.querySelector("[data-patrol-error]");
  const panel = document.querySelector("[data-patrol-panel]");

  function message(name, time) {
    const node = document.getElementById("patrol-messages").content.querySelector(`[data-msg="${name}"]`);
    const text = node ? node.textContent : name;
    return time ? text.replace("{time}", clock(time)) : text;
  }

  function clock(iso) {
    return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function showPending(items) {
    const waiting = items.filter((item) => !item.errors).length;
    status.hidden = waiting === 0;
    status.textContent = `${status.dataset.label} ${waiting}`;
  }

  function showError(text) {
    error.hidden = !text;
    error.textContent = text;
  }

  function errorText(result) {
    if (result.status === "login") {
      return message("login");
    }
    return Object.values(result.errors || {}).flat().join(" ") || message("refused");
  }

  // The patrol as the phone knows it while its start or stop is waiting.
  function showWaiting(text, stopHandler) {
    const state = document.createElement("p");
    state.className = "notice pending";
    state.dataset.patrolWaiting = "";
    state.textContent = text;
    const children = [state];
    if (stopHandler) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "danger block";
      button.textContent = message("stop");
      button.dataset.patrolStopWaiting = "";
      button.addEventListener("click", stopHandler);
      children.push(button);
    }
    panel.querySelectorAll("[data-patrol-start], [data-patrol-running]").forEach((node) => node.remove());
    panel.querySelectorAll("[data-patrol-waiting], [data-patrol-stop-waiting]").forEach((node) => node.remove());
    panel.querySelector("h2").after(...children);
  }

  function showStartWaiting(item) {
    showWaiting(message("running-waiting", item.payload.started_at), () => {
      const endedAt = new Date().toISOString();
      if (window.outbox.update(item.payload.client_uuid, { ended_at: endedAt })) {
        showWaiting(message("stopped-waiting", endedAt));
      } else {
        // Sent meanwhile: the server knows the patrol now.
        window.location.reload();
      }
    });
  }

  const start = document.querySelector("[data-patrol-start]");
  if (start) {
    start.addEventListener("submit", async (event) => {
      event.preventDefault();
      showError("");
      const payload = {
        client_uuid: window.outbox.uuid(),
        grid: Number(start.elements.grid.value),
        started_at: new Date().toISOString(),
      };
      const result = await window.outbox.submit(PATROLS, payload, status.dataset.patrol);
      if (result.status === "sent") {
        window.location.reload();
      } else if (result.status === "queued") {
        showStartWaiting({ payload });
      } else {
        showError(errorText(result));
      }
    });
  }

  const stop = document.querySelector("[data-patrol-stop]");
  if (stop) {
    stop.addEventListener("click", async () => {
      showError("");
      const payload = { client_uuid: window.outbox.uuid(), ended_at: new Date().toISOString() };
      const url = `${PATROLS}${stop.dataset.patrolStop}/stop/`;
      const result = await window.outbox.submit(url, payload, status.dataset.patrol);
      if (result.status === "sent") {
        window.location.reload();
      } else if (result.status === "queued") {
        showWaiting(message("stopped-waiting", payload.ended_at));
      } else {
        showError(errorText(result));
      }
    });
  }

  // A patrol started offline on an earlier visit of this page.
  const waitingStart = window.outbox
    .items()
    .find((item) => item.url === PATROLS && !item.errors);
  if (waitingStart && start) {
    if (waitingStart.payload.ended_at) {
      showWaiting(message("stopped-waiting", waitingStart.payload.ended_at));
    } else {
      showStartWaiting(waitingStart);
    }
  }

  window.outbox.onChange(showPending);
  showPending(window.outbox.items());
  // Records sent from here change the figures above: show the new ones.
  window.outbox.flush().then((sent) => sent > 0 && window.location.reload());
})();
