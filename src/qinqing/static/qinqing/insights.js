// Text insights on the intake and reply forms: similar appeals while typing, reply quality before sending.
(function () {
  "use strict";
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function el(tag, text) { var e = document.createElement(tag); if (text) e.textContent = text; return e; }

  var live = document.getElementById("similar-live");
  if (live) {
    var form = live.closest("form");
    var title = form.querySelector("[name=title]");
    var content = form.querySelector("[name=content]");
    var timer = null, lastQuery = "";
    var search = function () {
      var q = ((title && title.value) || "") + ((content && content.value) || "");
      if (q.trim().length < 8 || q === lastQuery) return;
      lastQuery = q;
      fetch(live.dataset.url + "?text=" + encodeURIComponent(q.slice(0, 2000)), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (rows) {
          var ul = live.querySelector("ul");
          ul.textContent = "";
          rows.forEach(function (row) {
            var li = el("li");
            var a = el("a", row.number); a.href = "/appeals/" + row.number + "/"; a.target = "_blank";
            li.appendChild(a);
            li.appendChild(document.createTextNode(" " + row.title + " "));
            li.appendChild(el("small", row.enterprise + " · " + row.status_label + " · 相似度 " + row.similarity.toFixed(2)));
            ul.appendChild(li);
          });
          live.hidden = rows.length === 0;
        })
        .catch(function () { /* suggestions are a help, never a blocker */ });
    };
    [title, content].forEach(function (field) {
      if (field) field.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 400); });
    });
  }

  var btn = document.getElementById("reply-check-btn");
  if (btn) {
    btn.addEventListener("click", function () {
      var form = btn.closest("form");
      var out = document.getElementById("reply-check-result");
      out.textContent = "检查中…";
      fetch(btn.dataset.url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ measures: form.querySelector("[name=measures]").value, result: form.querySelector("[name=result]").value })
      }).then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          out.textContent = "";
          if (!res.ok) { out.textContent = res.body.message || "检查失败"; return; }
          out.appendChild(el("b", "得分 " + res.body.score + (res.body.flagged ? "（建议修改后再答复）" : "（可以答复）")));
          var ul = el("ul");
          res.body.reasons.forEach(function (reason) { ul.appendChild(el("li", reason)); });
          out.appendChild(ul);
        })
        .catch(function () { out.textContent = "检查服务暂不可用，仍可直接提交答复"; });
    });
  }
})();
