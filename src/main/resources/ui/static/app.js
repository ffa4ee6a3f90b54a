// chainboot web UI: live event rows (server-sent events) and the profile editor's live preview.
// Served from the jar as a file (the Content-Security-Policy allows no inline script).
"use strict";

function csrfToken() {
  var m = document.querySelector('meta[name="csrf-token"]');
  return m ? m.content : "";
}

var EVENT_COLUMNS = ["id", "time", "mac", "protocol", "match", "profile", "reason"];

function eventDetails(e) {
  var parts = [];
  Object.keys(e).forEach(function (k) {
    if (EVENT_COLUMNS.indexOf(k) < 0 && e[k] !== null && e[k] !== false && e[k] !== "") {
      parts.push(k + "=" + (typeof e[k] === "object" ? JSON.stringify(e[k]) : e[k]));
    }
  });
  return parts.join(" ");
}

function appendEvent(tbody, e) {
  if (tbody.querySelector('tr[data-id="' + e.id + '"]')) {
    return;
  }
  var tr = document.createElement("tr");
  tr.dataset.id = String(e.id);
  tr.className = "new";
  EVENT_COLUMNS.forEach(function (k) {
    var td = document.createElement("td");
    td.textContent = e[k] === null || e[k] === undefined ? "" : String(e[k]);
    tr.appendChild(td);
  });
  var d = document.createElement("td");
  d.textContent = eventDetails(e);
  tr.appendChild(d);
  tbody.appendChild(tr);
}

function startStream(table) {
  var url = table.dataset.stream;
  if (!url || !window.EventSource) {
    return;
  }
  var tbody = table.tBodies[0];
  var source = new EventSource(url);
  source.addEventListener("open", function () {
    var live = document.getElementById("live");
    if (live) {
      live.hidden = false;
    }
    table.dataset.live = "true";
  });
  source.addEventListener("boot", function (m) {
    appendEvent(tbody, JSON.parse(m.data));
  });
}

function startPreview(form) {
  var out = document.getElementById("preview");
  var timer = null;
  var seq = 0;
  function refresh() {
    var mine = ++seq;
    var body = new URLSearchParams(new FormData(form));
    body.delete("csrf");
    fetch("/ui/preview", {
      method: "POST",
      headers: { "X-CSRF-Token": csrfToken() },
      body: body,
      credentials: "same-origin",
    })
      .then(function (r) {
        return r.text();
      })
      .then(function (t) {
        if (mine === seq) {
          out.textContent = t;
          out.dataset.seq = String(mine);
        }
      })
      .catch(function (err) {
        out.textContent = "preview failed: " + err;
      });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  refresh();
}

// A kernel goes to the server as the request's body (streamed to disk there), not as a
// multipart form; the session's CSRF token travels in the header.
function startUpload(form) {
  var status = document.getElementById("upload-status");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var file = form.querySelector('input[type="file"]').files[0];
    if (!file) {
      return;
    }
    var name = form.querySelector('input[name="name"]').value.trim() || file.name;
    status.textContent = "uploading " + name + " (" + file.size + " bytes)...";
    fetch("/zeroos/upload?name=" + encodeURIComponent(name), {
      method: "POST",
      headers: { "X-CSRF-Token": csrfToken(), "Content-Type": "application/octet-stream" },
      body: file,
      credentials: "same-origin",
    })
      .then(function (r) {
        if (r.ok) {
          window.location.assign("/zeroos?uploaded=" + encodeURIComponent(name));
          return null;
        }
        return r.text().then(function (t) {
          var doc = new DOMParser().parseFromString(t, "text/html");
          var msg = doc.querySelector(".error");
          status.textContent =
            "upload failed (" + r.status + "): " + (msg ? msg.textContent : doc.body.textContent);
        });
      })
      .catch(function (err) {
        status.textContent = "upload failed: " + err;
      });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  var upload = document.getElementById("kernel-upload");
  if (upload) {
    startUpload(upload);
  }
  document.querySelectorAll("table[data-stream]").forEach(startStream);
  var form = document.getElementById("profile-form");
  if (form) {
    startPreview(form);
  }
});
