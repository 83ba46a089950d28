/* newsloom: the little JavaScript the pages use (ingest with progress). Pages work without it. */
(function () {
  "use strict";

  function $(id) { return document.getElementById(id); }

  function describe(job) {
    var s = job.summary;
    if (job.state === "failed") { return job.error || "failed"; }
    if (!s) { return ""; }
    return s.stored + " new, " + s.updated + " updated, " + s.unchanged + " unchanged, " + s.failed + " failed";
  }

  function show(job) {
    var state = $("job-state"), stage = $("job-stage"), bar = $("job-progress"), result = $("job-result");
    if (!state) { return; }
    state.textContent = job.state;
    state.className = "state-" + job.state;
    stage.textContent = job.stage ? job.stage + (job.total ? " " + job.done + "/" + job.total : " " + job.done) : "";
    if (job.total) { bar.max = job.total; bar.value = job.done; }
    else if (job.state === "done" || job.state === "failed") { bar.max = 1; bar.value = 1; }
    else { bar.removeAttribute("value"); }
    result.textContent = describe(job);
    if (job.state === "done") {
      var link = document.createElement("a");
      link.href = "/articles";
      link.textContent = " Browse the articles →";
      result.appendChild(link);
    }
  }

  function poll(id) {
    fetch("/api/ingest/" + encodeURIComponent(id), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        show(job);
        if (job.state === "queued" || job.state === "running") { setTimeout(function () { poll(id); }, 600); }
      })
      .catch(function () { setTimeout(function () { poll(id); }, 2000); });
  }

  function setupForm() {
    var form = $("ingest-form");
    if (!form) { return; }
    var token = $("token");
    if (token && window.sessionStorage) { token.value = sessionStorage.getItem("newsloom-token") || ""; }
    var drop = $("drop"), files = $("files");
    if (drop && files) {
      drop.addEventListener("dragover", function (e) { e.preventDefault(); drop.classList.add("over"); });
      drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
      drop.addEventListener("drop", function (e) {
        e.preventDefault(); drop.classList.remove("over");
        if (e.dataTransfer && e.dataTransfer.files.length) { files.files = e.dataTransfer.files; }
      });
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var data = new FormData(form);
      data.delete("token");
      var headers = { "Accept": "application/json" };
      if (token && token.value) {
        headers["Authorization"] = "Bearer " + token.value;
        if (window.sessionStorage) { sessionStorage.setItem("newsloom-token", token.value); }
      }
      var status = $("ingest-status");
      status.classList.remove("hidden");
      $("job-state").textContent = "uploading";
      $("job-result").textContent = "";
      $("ingest-submit").disabled = true;
      fetch("/api/ingest", { method: "POST", body: data, headers: headers })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; }); })
        .then(function (res) {
          $("ingest-submit").disabled = false;
          if (!res.ok) {
            $("job-state").textContent = "refused (" + res.status + ")";
            $("job-state").className = "state-failed";
            $("job-result").textContent = typeof res.body.detail === "string" ? res.body.detail : JSON.stringify(res.body.detail);
            return;
          }
          form.reset();
          if (token && window.sessionStorage) { token.value = sessionStorage.getItem("newsloom-token") || ""; }
          show(res.body);
          poll(res.body.id);
        })
        .catch(function (err) {
          $("ingest-submit").disabled = false;
          $("job-state").textContent = "upload failed";
          $("job-result").textContent = String(err);
        });
    });
  }

  function setupJobPage() {
    var job = $("job");
    if (!job) { return; }
    var state = $("job-state").textContent;
    if (state === "queued" || state === "running") { poll(job.getAttribute("data-job")); }
  }

  document.addEventListener("DOMContentLoaded", function () { setupForm(); setupJobPage(); });
})();
