// Follows jobs still running on the server (a ledger file being checked or
// applied, a report file being built), once a second: each one's progress
// bar and status follow the job, its file's link shows once the file is
// ready, and a job marked data-reload-when-done reloads the page when it is
// over, so that its outcome shows.
(function () {
  "use strict";
  const POLL_MS = 1000;
  const RUNNING = ["queued", "running", "checking", "applying"];

  function poll(job) {
    fetch(job.dataset.progressUrl, { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response)))
      .then((state) => {
        job.dataset.status = state.status;
        if (state.percent !== null) job.querySelector("progress").value = state.percent;
        job.querySelector(".job-status").textContent = state.status_label;
        if (state.url) {
          const link = job.querySelector(".job-file");
          link.href = state.url;
          link.hidden = false;
        }
        if (RUNNING.includes(state.status)) setTimeout(() => poll(job), POLL_MS);
        else if ("reloadWhenDone" in job.dataset) window.location.reload();
      })
      .catch(() => setTimeout(() => poll(job), 5 * POLL_MS));
  }

  document.querySelectorAll("[data-job-progress]").forEach((job) => {
    if (RUNNING.includes(job.dataset.status)) poll(job);
  });
})();
