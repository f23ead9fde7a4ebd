// "My week": patrol start/stop and the records still waiting to be sent.
(function () {
  "use strict";
  const status = document.querySelector("[data-outbox-status]");
  const error = document.querySelector("[data-patrol-error]");

  function showPending(items) {
    const waiting = items.filter((item) => !item.errors).length;
    status.hidden = waiting === 0;
    status.textContent = `${status.dataset.label} ${waiting}`;
  }

  function showError(text) {
    error.hidden = !text;
    error.textContent = text;
  }

  const start = document.querySelector("[data-patrol-start]");
  if (start) {
    start.addEventListener("submit", async (event) => {
      event.preventDefault();
      const result = await window.outbox.submit("/api/v1/patrols/", {
        client_uuid: window.outbox.uuid(),
        grid: Number(start.elements.grid.value),
        started_at: new Date().toISOString(),
      }, status.dataset.patrol);
      if (result.status === "sent") {
        window.location.reload();
      } else {
        showError(result.errors ? Object.values(result.errors).flat().join(" ") : status.dataset.queued);
      }
    });
  }

  // Stopping is not queued: the end time must be the moment of the tap, which
  // an outbox replay could not keep.
  const stop = document.querySelector("[data-patrol-stop]");
  if (stop) {
    stop.addEventListener("click", async () => {
      try {
        const response = await fetch(`/api/v1/patrols/${stop.dataset.patrolStop}/stop/`, {
          method: "POST",
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": window.outbox.csrfToken() },
        });
        if (response.ok) {
          window.location.reload();
          return;
        }
        const body = await response.json().catch(() => ({}));
        showError(Object.values(body).flat().join(" "));
      } catch (failure) {
        showError(status.dataset.offline);
      }
    });
  }

  window.outbox.onChange(showPending);
  showPending(window.outbox.items());
  // Records sent from here change the figures above: show the new ones.
  window.outbox.flush().then((sent) => sent > 0 && window.location.reload());
})();
