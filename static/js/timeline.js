// Timeline keys and scrolling. Progressive enhancement: every link works
// without this file.
(function () {
  "use strict";

  function timeline() { return document.getElementById("timeline"); }

  function barById(id) {
    return id ? document.getElementById("bar-" + id) : null;
  }

  // Bring a bar into view (the chart scrolls sideways, the page up and down)
  // and give it focus, so "Show where" visibly lands somewhere.
  function showBar(bar) {
    if (!bar) return false;
    bar.scrollIntoView({ block: "center", inline: "center" });
    bar.focus({ preventScroll: true });
    return true;
  }

  function focusOf(link) {
    var id = link.getAttribute("data-focus-bar");
    if (id) return id;
    try {
      return new URL(link.href, window.location.href).searchParams.get("focus");
    } catch (e) { return null; }
  }

  // "Show where on the timeline", the header "!" and related-record links:
  // scroll to the bar and focus it. Links without htmx load the bar's details
  // through the bar itself instead of reloading the page.
  document.addEventListener("click", function (event) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    var link = event.target.closest && event.target.closest("a[data-focus-bar], a.bang[href*='focus=']");
    if (!link || (timeline() && timeline().contains(link))) return;
    // htmx has already taken over links with hx-get (and prevented their default).
    if (event.defaultPrevented && !link.hasAttribute("hx-get")) return;
    var bar = barById(focusOf(link));
    if (!bar) return;
    if (!link.hasAttribute("hx-get")) {
      // An SVG link has no click(): send the event htmx listens for.
      event.preventDefault();
      bar.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true }));
    }
    pending = bar.id;
    showBar(bar);
  });

  // The detail panel swapped in after the click may take focus: give it back.
  var pending = null;
  document.addEventListener("htmx:afterSettle", function () {
    if (!pending) return;
    var bar = document.getElementById(pending);
    pending = null;
    // After htmx has finished restoring focus to the link that was clicked.
    setTimeout(function () { showBar(bar); }, 0);
  });

  function markedBars() {
    var list = Array.prototype.slice.call(document.querySelectorAll("#timeline a.bar[data-marked]"));
    function x(bar) {
      var body = bar.querySelector(".bar-body");
      return body ? parseFloat(body.getAttribute("x")) : 0;
    }
    return list.sort(function (a, b) { return x(a) - x(b); });
  }

  function typing(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable]");
  }

  // Shortcuts act only while the timeline has focus (WCAG 2.1.4): n / p step
  // through flagged or inconsistent bars, ? shows the list of keys.
  document.addEventListener("keydown", function (event) {
    var box = timeline();
    if (!box || !box.contains(event.target) || typing(event.target)) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "?") {
      var keys = document.getElementById("timeline-keys");
      if (keys) {
        keys.open = !keys.open;
        if (keys.open) {
          // Escape (or ? again) gives the focus back to where the viewer was: a bar.
          keys._returnTo = keys.contains(event.target) ? keys._returnTo : event.target;
          keys.querySelector("summary").focus();
        } else if (keys._returnTo && document.contains(keys._returnTo)) {
          keys._returnTo.focus();
          keys._returnTo = null;
        }
      }
      event.preventDefault();
      return;
    }
    if (event.key !== "n" && event.key !== "p") return;
    var marked = markedBars();
    if (!marked.length) return;
    var here = event.target.closest("a.bar");
    var i = here ? marked.indexOf(here) : -1;
    var next;
    if (event.key === "n") next = marked[i === -1 ? 0 : (i + 1) % marked.length];
    else next = marked[i <= 0 ? marked.length - 1 : i - 1];
    event.preventDefault();
    showBar(next);
  });
})();
