// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Tell the server the viewer's time zone so it renders local times.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (e) { /* old browser: times stay in UTC */ }

  function bars() {
    return Array.prototype.slice.call(document.querySelectorAll("#timeline a.bar"));
  }

  function rowOf(bar) {
    var body = bar.querySelector(".bar-body");
    return body ? parseFloat(body.getAttribute("y")) : 0;
  }

  function xOf(bar) {
    var body = bar.querySelector(".bar-body");
    return body ? parseFloat(body.getAttribute("x")) : 0;
  }

  // The chart's bars are one Tab stop (a roving tabindex): Tab reaches the chosen bar,
  // else the first, and goes on past the chart; the keys below move between them. A
  // big interaction has hundreds of bars, which Tab would otherwise walk one by one.
  function rove(current) {
    var all = bars();
    if (!all.length) return;
    var keep = current && all.indexOf(current) !== -1 ? current : null;
    if (!keep) keep = all.filter(function (b) { return b.classList.contains("focused"); })[0] || all[0];
    all.forEach(function (b) { b.setAttribute("tabindex", b === keep ? "0" : "-1"); });
  }
  rove(null);
  document.addEventListener("htmx:afterSettle", function () {
    var active = document.activeElement;
    rove(active && active.closest ? active.closest("#timeline a.bar") : null);
  });
  document.addEventListener("focusin", function (event) {
    var bar = event.target.closest && event.target.closest("#timeline a.bar");
    if (bar && bar.getAttribute("tabindex") !== "0") rove(bar);
  });

  // Arrow keys move between bars: left/right along the row, up/down to the
  // nearest bar in the row above or below; Home and End to the first and last.
  document.addEventListener("keydown", function (event) {
    var bar = event.target.closest && event.target.closest("#timeline a.bar");
    if (!bar) return;
    var all = bars();
    var next = null;
    if (event.key === " ") {
      // Space opens a bar's details as Enter does; an SVG link has no click().
      event.preventDefault();
      bar.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true }));
      return;
    }
    if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      var i = all.indexOf(bar);
      next = all[i + (event.key === "ArrowRight" ? 1 : -1)] || null;
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      var y = rowOf(bar), x = xOf(bar), down = event.key === "ArrowDown";
      var rows = all.map(rowOf).filter(function (r) { return down ? r > y : r < y; });
      if (rows.length) {
        var target = down ? Math.min.apply(null, rows) : Math.max.apply(null, rows);
        var inRow = all.filter(function (b) { return rowOf(b) === target; });
        inRow.sort(function (a, b) { return Math.abs(xOf(a) - x) - Math.abs(xOf(b) - x); });
        next = inRow[0];
      }
    } else if (event.key === "Home" || event.key === "End") {
      next = event.key === "Home" ? all[0] : all[all.length - 1];
    } else {
      return;
    }
    event.preventDefault();
    if (next) next.focus();
  });

  // Related bars (a segment, its queue visits and its agents) light up together.
  function highlight(bar, on) {
    var timeline = document.getElementById("timeline");
    if (!timeline) return;
    timeline.classList.toggle("has-hover", on);
    var ids = on ? (bar.getAttribute("data-related") || "").split(" ").concat([bar.getAttribute("data-bar")]) : [];
    bars().forEach(function (b) {
      b.classList.toggle("hl", ids.indexOf(b.getAttribute("data-bar")) !== -1);
    });
  }
  ["focusin", "mouseover"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var bar = event.target.closest && event.target.closest("#timeline a.bar");
      if (bar) highlight(bar, true);
    });
  });
  ["focusout", "mouseout"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var bar = event.target.closest && event.target.closest("#timeline a.bar");
      if (bar) highlight(bar, false);
    });
  });

  // After a bar's details load, mark it and its relations as chosen.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "detail-panel") return;
    var panel = document.getElementById("detail-panel");
    var related = panel ? Array.prototype.map.call(panel.querySelectorAll("[data-focus-bar]"), function (a) {
      return a.getAttribute("data-focus-bar");
    }) : [];
    var focus = new URLSearchParams(window.location.search).get("focus");
    bars().forEach(function (b) {
      var id = b.getAttribute("data-bar");
      b.classList.toggle("focused", id === focus);
      b.classList.toggle("related", related.indexOf(id) !== -1);
    });
  });

  // A live refresh that never reached the server: try again later, quietly.
  document.addEventListener("htmx:sendError", function (event) {
    var poller = event.detail.elt;
    if (!poller || !poller.classList || !poller.classList.contains("poller")) return;
    var delay = Math.min(parseInt(poller.getAttribute("data-poll-delay") || "10", 10) * 2, 120);
    poller.setAttribute("data-poll-delay", String(delay));
    setTimeout(function () { if (window.htmx) window.htmx.trigger(poller, "retry-poll"); }, delay * 1000);
  });
})();

// Copy-link and print buttons (the link is also in a read-only field to copy by hand).
document.addEventListener("click", function (event) {
  var copy = event.target.closest && event.target.closest("[data-copy]");
  if (copy) {
    var field = document.getElementById(copy.getAttribute("data-copy"));
    var result = copy.parentNode.querySelector(".copy-result");
    // Emptied first, so a second copy is announced again.
    var say = function (text) {
      if (!result) return;
      result.textContent = "";
      setTimeout(function () { result.textContent = text; }, 50);
    };
    if (navigator.clipboard && field) {
      navigator.clipboard.writeText(field.value).then(function () { say("Copied."); }, function () {
        field.select(); say("Press Ctrl+C to copy.");
      });
    } else if (field) {
      field.select(); say("Press Ctrl+C to copy.");
    }
    return;
  }
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});

// A live interaction's running time ticks; past its limit it says it may be stuck.
(function () {
  "use strict";
  // The server's form (formatting.clock): "1:34", "13 h 33 min 32 s", "3 d 0 h 22 min 53 s".
  function clock(seconds) {
    var s = Math.max(0, Math.round(seconds));
    var h = Math.floor(s / 3600);
    if (!h) return Math.floor(s / 60) + ":" + (s % 60 < 10 ? "0" : "") + (s % 60);
    var units = [[s % 60, "s"], [Math.floor((s % 3600) / 60), "min"], [h % 24, "h"]];
    if (h >= 24) units.push([Math.floor(h / 24), "d"]);
    while (!units[0][0]) units.shift();
    return units.reverse().map(function (u) { return u[0] + " " + u[1]; }).join(" ");
  }
  function tick() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-since]"), function (el) {
      var since = Date.parse(el.getAttribute("data-since"));
      if (isNaN(since)) return;
      var elapsed = (Date.now() - since) / 1000;
      el.textContent = clock(elapsed) + " so far";
      var box = el.closest("[data-stuck-after]");
      var limit = box ? parseFloat(box.getAttribute("data-stuck-after")) : NaN;
      if (box && !isNaN(limit) && elapsed > limit && !box.classList.contains("stuck")) {
        box.classList.add("stuck");
        var note = box.querySelector(".stuck-note");
        if (note) note.textContent = " — running longer than expected: it may be stuck";
      }
    });
  }
  tick();
  setInterval(tick, 1000);
})();


// Filter boxes: type to hide the rows of a container that do not contain the
// words, and hear how many are left. data-table-filter names the container,
// data-filter-rows its rows (a table's "tbody tr" unless told), and
// "<container id>-shown" the polite live region. A record table's filter is also
// a form that filters on the server; a box that only works here stays hidden
// (data-needs-script) until this file shows it, so without JavaScript the list
// simply stays whole.
(function () {
  "use strict";
  function reveal(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-needs-script]"), function (el) {
      el.hidden = false;
    });
  }
  reveal(document);
  document.addEventListener("htmx:load", function (event) { reveal(event.target); });

  // One encoding of each accented letter (NFC), case left aside, as the server compares.
  function comparable(text) {
    return (text.normalize ? text.normalize("NFC") : text).toLowerCase();
  }

  document.addEventListener("htmx:afterSwap", function () {
    Array.prototype.forEach.call(
      document.querySelectorAll("input[data-filter-pending]"),
      function (input) {
        if (!document.getElementById(input.getAttribute("data-table-filter"))) return;
        input.removeAttribute("data-filter-pending");
        input.dispatchEvent(new Event("input", { bubbles: true }));
      }
    );
  });

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-table-filter]")) return;
    var id = input.getAttribute("data-table-filter");
    var box = document.getElementById(id);
    if (!box) {
      // A folded record table makes its rows when its fold opens: open it, and
      // filter once they are here (see htmx:afterSwap below).
      var later = document.getElementById(id.replace(/-table$/, "-rows"));
      var folded = later && later.closest("details");
      if (!folded) return;
      input.setAttribute("data-filter-pending", "");
      if (!folded.open) folded.open = true;
      return;
    }
    var words = comparable(input.value.trim());
    var rows = box.querySelectorAll(input.getAttribute("data-filter-rows") || "tbody tr");
    var shown = 0;
    Array.prototype.forEach.call(rows, function (row) {
      var hit = !words || comparable(row.textContent).indexOf(words) !== -1;
      row.hidden = !hit;
      if (hit) shown += 1;
    });
    var fold = box.closest("details");
    if (fold && words) fold.open = true;
    var out = document.getElementById(id + "-shown");
    if (!out) return;
    // A table holding some of its rows only: the server searches the others.
    var total = parseInt(input.getAttribute("data-total") || "", 10);
    var text = total > rows.length
      ? shown + " of the first " + rows.length + " shown; press Enter to search all " + total
      : shown + " of " + rows.length + " shown";
    out.textContent = words ? text : "";
  });
})();


// Keyboard focus across htmx swaps. htmx puts the focus back on an element with
// the same id; a link without one (a sort header, a zoom button, "+N more") is
// found again by its data-focus-key or its name, else the part's data-focus-fallback
// or the part itself, so the focus never drops to the page's start. Closing a bar's
// details gives the focus back to that bar.
(function () {
  "use strict";
  var saved = null;

  function nameOf(el) {
    return (el.getAttribute("aria-label") || el.textContent || "").replace(/\s+/g, " ").trim();
  }

  function lost() {
    return !document.activeElement || document.activeElement === document.body;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    saved = null;
    if (!target || !target.id || !active || active === document.body || !target.contains(active)) return;
    saved = {
      part: target.id,
      key: active.getAttribute("data-focus-key"),
      tag: active.tagName,
      name: nameOf(active),
      bar: target.getAttribute("data-bar")
    };
  });

  function restore(s) {
    if (!lost()) return;
    var part = document.getElementById(s.part);
    if (!part) return;
    if (s.bar && part.hidden) {
      var bar = document.getElementById("bar-" + s.bar);
      if (bar) { bar.focus(); return; }
    }
    var same = null;
    if (s.key) {
      same = part.querySelector('[data-focus-key="' + s.key.replace(/["\\]/g, "\\$&") + '"]');
    } else {
      same = Array.prototype.filter.call(part.querySelectorAll(s.tag), function (el) {
        return nameOf(el) === s.name;
      })[0] || null;
    }
    var to = same || part.querySelector("[data-focus-fallback]") || part;
    if (part.hidden) return;
    if (to === part && !part.hasAttribute("tabindex")) part.setAttribute("tabindex", "-1");
    to.focus();
  }

  document.addEventListener("htmx:afterSettle", function () {
    if (!saved) return;
    var s = saved;
    saved = null;
    // After htmx has put the focus back on an element with the same id, if it could.
    setTimeout(function () { restore(s); }, 0);
  });

  // "Go to the QA review" (on a narrow page, where the review comes last) opens it too.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".to-review a");
    var review = link && document.querySelector("#review details");
    if (review) review.open = true;
  });

  // Escape closes what the keyboard opened: the list of timeline keys ("?"), and a
  // bar's details (from the bar, the timeline or the panel), giving focus back.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    var target = event.target;
    var keys = document.getElementById("timeline-keys");
    if (keys && keys.open && keys.contains(target)) {
      event.preventDefault();
      keys.open = false;
      var back = keys._returnTo;
      keys._returnTo = null;
      (back && document.contains(back) ? back : keys.querySelector("summary")).focus();
      return;
    }
    var panel = document.getElementById("detail-panel");
    var close = panel && !panel.hidden ? panel.querySelector("a.close") : null;
    var timeline = document.getElementById("timeline");
    if (!close || !(panel.contains(target) || (timeline && timeline.contains(target)))) return;
    if (target.closest && target.closest("input, textarea, select")) return;
    event.preventDefault();
    var from = target.closest && target.closest("#timeline a.bar");
    // Back to the bar the viewer was on (else the one the panel showed) once the panel
    // has gone: after the swap has settled, and after the general focus keeping above.
    var barId = from ? from.id : "bar-" + panel.getAttribute("data-bar");
    document.addEventListener("htmx:afterSettle", function back() {
      // Not before the panel is closed: the request that opened it may still be settling.
      var shown = document.getElementById("detail-panel");
      if (shown && !shown.hidden) return;
      document.removeEventListener("htmx:afterSettle", back);
      setTimeout(function () { var bar = document.getElementById(barId); if (bar) bar.focus(); }, 0);
    });
    close.focus();
    close.click();
  });
})();

// One polite live region for the whole page (#announce, in base.html). A part
// swapped in by htmx says its news through its [data-announce] elements (the
// attribute's value, else the text): said after each of the viewer's requests,
// and after a poll only when the words changed, so a poll never repeats them.
// [data-announce-user] elements are said after the viewer's own requests only.
(function () {
  "use strict";
  var last = "";

  function byPoll(elt) {
    var trigger = elt && elt.getAttribute ? elt.getAttribute("hx-trigger") || "" : "";
    return /^(load|every)\b/.test(trigger);
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var region = document.getElementById("announce");
    var part = event.detail.target;
    if (!region || !part) return;
    var poll = byPoll(event.detail.elt);
    var fresh = (part.id && document.getElementById(part.id)) || part;
    var sources = Array.prototype.slice.call(fresh.querySelectorAll("[data-announce], [data-announce-user]"));
    if (fresh.matches("[data-announce], [data-announce-user]")) sources.unshift(fresh);
    var text = sources.filter(function (el) {
      return !(poll && el.hasAttribute("data-announce-user"));
    }).map(function (el) {
      return (el.getAttribute("data-announce") || el.getAttribute("data-announce-user") || el.textContent || "")
        .replace(/\s+/g, " ").trim();
    }).filter(Boolean).join(" ");
    if (!text || (poll && text === last)) return;
    last = text;
    region.textContent = "";
    // Emptied first, so the same words after a new request are read again.
    setTimeout(function () { region.textContent = text; }, 50);
  });
})();


// A date field holds a whole value after each key typed into it, and says "change"
// each time: a filter form that applies its fields at once would reload its list
// mid-typing. Such a field's change reaches its form once the typing pauses (1.5 s),
// or at once when the field is left.
(function () {
  "use strict";
  var pending = new Map();
  function settle(field) {
    clearTimeout(pending.get(field));
    pending.delete(field);
    var settled = new Event("change", { bubbles: true });
    settled.dashboardSettled = true;
    field.dispatchEvent(settled);
  }
  function dateField(target) {
    return target && target.type === "datetime-local" && target.closest && target.closest("form.filter-form[hx-get]");
  }
  document.addEventListener("change", function (event) {
    if (event.dashboardSettled || !dateField(event.target)) return;
    event.stopPropagation();
    var field = event.target;
    clearTimeout(pending.get(field));
    pending.set(field, setTimeout(function () { settle(field); }, 1500));
  }, true);
  document.addEventListener("focusout", function (event) {
    if (pending.has(event.target)) settle(event.target);
  }, true);
})();


// A sign-in that ends while something typed is not saved yet (a review's comment): an
// htmx request (a live refresh, a click on the timeline) would take the browser to the
// sign-in page and lose it. Instead the page stays, with an alert and a link to sign in
// in a new tab; saving afterwards works.
(function () {
  "use strict";
  function unsaved() {
    return Array.prototype.some.call(
      document.querySelectorAll("form[method=post] textarea, form[method=post] input[type=text]"),
      function (field) { return field.value !== field.defaultValue; }
    );
  }
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail && event.detail.xhr;
    var to = xhr && xhr.getResponseHeader("HX-Redirect");
    var signIn = document.body.getAttribute("data-sign-in");
    if (!to || !signIn || to.indexOf(signIn) !== 0 || !unsaved()) return;
    event.preventDefault();
    if (document.getElementById("sign-in-ended")) return;
    var alert = document.createElement("p");
    alert.id = "sign-in-ended";
    alert.className = "warn";
    alert.setAttribute("role", "alert");
    alert.textContent = "Your sign-in has ended. What you typed is still here: ";
    var link = document.createElement("a");
    link.href = to;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = "sign in again in a new tab";
    alert.appendChild(link);
    alert.appendChild(document.createTextNode(", then save."));
    var main = document.querySelector("main") || document.body;
    main.insertBefore(alert, main.firstChild);
  });
})();
