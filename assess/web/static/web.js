/* assess serve: upload progress, review progress, click a highlight to see its card, filter sync.
   Everything here is optional: the pages work without JavaScript. No external resources. */
(function () {
  "use strict";
  // ---- upload with a progress bar (XMLHttpRequest upload events)
  var form = document.getElementById("upload-form");
  if (form && window.FormData && window.XMLHttpRequest) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var box = document.getElementById("upload-progress"), bar = document.getElementById("upload-bar"),
          text = document.getElementById("upload-text"), button = document.getElementById("upload-button");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.setRequestHeader("X-CSRF-Token", form.elements["csrf_token"].value);
      box.classList.remove("hidden");
      button.disabled = true;
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var p = Math.round(100 * e.loaded / e.total);
          bar.value = p;
          text.textContent = "正在上传：" + p + "%（" + (e.loaded / 1048576).toFixed(1) + " / " + (e.total / 1048576).toFixed(1) + " MB）";
        }
      });
      xhr.upload.addEventListener("load", function () { text.textContent = "上传完成，正在检查文件……"; });
      xhr.onload = function () {
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
        if (xhr.status === 200 && data && data.url) { window.location.href = data.url; return; }
        button.disabled = false;
        text.textContent = (data && data.error) ? data.error : (xhr.status === 413 ? "上传内容过大，请分批上传。" : "上传失败（" + xhr.status + "），请重试。");
        text.className = "error-msg";
        text.id = "upload-text";
      };
      xhr.onerror = function () { button.disabled = false; text.textContent = "上传失败：无法连接到本机服务。"; };
      xhr.send(new FormData(form));
    });
  }
  // ---- review progress on the upload page
  var up = document.getElementById("upload");
  if (up && up.dataset.running === "1") {
    var poll = function () {
      var x = new XMLHttpRequest();
      x.open("GET", up.dataset.statusUrl);
      x.onload = function () {
        var s = null;
        try { s = JSON.parse(x.responseText); } catch (e) { s = null; }
        if (!s) { return; }
        var bar = document.getElementById("review-bar"), text = document.getElementById("review-text");
        if (bar) { bar.max = s.total; bar.value = s.done; }
        if (text) { text.textContent = "正在审查：已完成 " + s.done + " / " + s.total + " 个文件"; }
        if (s.running) { setTimeout(poll, 1000); } else { window.location.reload(); }
      };
      x.onerror = function () { setTimeout(poll, 3000); };
      x.send();
    };
    setTimeout(poll, 800);
  }
  // ---- document page: click a highlight to open its card; keep forms with their cards when filtering
  function syncWraps() {
    document.querySelectorAll(".fwrap").forEach(function (w) {
      var c = w.querySelector(".card");
      w.classList.toggle("hidden", !!(c && c.classList.contains("hidden")));
    });
  }
  var boxes = document.querySelectorAll("input[data-filter]");
  if (boxes.length && document.querySelector(".fwrap")) {
    boxes.forEach(function (b) { b.addEventListener("change", syncWraps); });
    document.querySelectorAll(".nojs").forEach(function (b) { b.classList.add("hidden"); });
    boxes[0].dispatchEvent(new Event("change"));
  }
  document.querySelectorAll("mark[data-f]").forEach(function (m) {
    m.addEventListener("click", function () {
      var id = m.dataset.f.split(" ")[0], card = document.getElementById(id + "-card");
      if (!card) { return; }
      document.querySelectorAll(".card.active").forEach(function (c) { c.classList.remove("active"); });
      card.classList.add("active");
      card.scrollIntoView({ block: "center", behavior: "smooth" });
    });
  });
})();
