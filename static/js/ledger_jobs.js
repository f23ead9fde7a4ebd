// Follows an import being checked or applied, once a second, and reloads
// the page when the step is over so that its outcome shows.
(function () {
  "use strict";
  const POLL_MS = 1000;
  const RUNNING = ["queued", "checking", "applying"];
  const box = document.querySelector("[data-ledger-progress]");
  if (!box) return;

  function poll() {
    fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response)))
      .then((job) => {
        if (job.percent !== null) box.querySelector("progress").value = job.percent;
        box.querySelector(".job-status").textContent = job.status_label;
        if (RUNNING.includes(job.status)) setTimeout(poll, POLL_MS);
        else window.location.reload();
      })
      .catch(() => setTimeout(poll, 5 * POLL_MS));
  }
  poll();
})();
