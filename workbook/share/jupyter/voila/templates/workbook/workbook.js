/* Between Sessions: the theme, and what ipywidgets cannot say for itself. The Voila template
   includes this file in its page; outside Voila (JupyterLab) the app's first output carries it
   (workbook/ui/lab.py), and there it touches nothing but the app's own elements (.wb-app).

   Theme in Voila: light or dark as the system prefers, or as picked with the theme button
   (.wb-theme-toggle in the app bar); a pick lasts as long as the page and is stored nowhere. Dark
   sets data-wb-theme="dark" on <html> (workbook.css), JupyterLab's dark variables (the link
   #wb-dark-theme) and data-jp-theme-light="false" on <body>, as JupyterLab itself does.
   Theme in JupyterLab: JupyterLab's own theme (body[data-jp-theme-light]) until the button picks
   one; data-wb-theme is set on each .wb-app only, and JupyterLab's theme is left as it is.

   Names and roles: each slider handle gets its field's label as aria-label, each set of radio
   buttons becomes a named radio group (one Tab stop, arrows move), the open page's navigation
   button gets aria-current, the "Get help now" button says whether the crisis panel is open. */
(function () {
  "use strict";
  if (window.wbTheme) { return; }  // once per page (a notebook may run its app again)
  var voila = document.body.hasAttribute("data-voila");
  var scope = voila ? "" : ".wb-app ";  // outside Voila, only the app's own elements
  var system = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var picked = null;  // "dark", "light", or null: follow the system (in JupyterLab: its theme)

  function dark() {
    if (picked) { return picked === "dark"; }
    if (!voila) { return document.body.getAttribute("data-jp-theme-light") === "false"; }
    return !!(system && system.matches);
  }
  function all(selector) { return document.querySelectorAll(scope + selector); }

  function set(element, name, value) {
    if (element && element.getAttribute(name) !== value) { element.setAttribute(name, value); }
  }

  function applyTheme() {
    var on = dark();
    if (voila) {
      set(document.documentElement, "data-wb-theme", on ? "dark" : "light");
      set(document.body, "data-jp-theme-light", on ? "false" : "true");
      set(document.body, "data-jp-theme-name", on ? "JupyterLab Dark" : "JupyterLab Light");
      set(document.getElementById("wb-dark-theme"), "media", on ? "all" : "not all");
    } else {
      var apps = document.querySelectorAll(".wb-app");
      for (var a = 0; a < apps.length; a++) { set(apps[a], "data-wb-theme", on ? "dark" : "light"); }
    }
    var toggles = all(".wb-theme-toggle");
    for (var i = 0; i < toggles.length; i++) { set(toggles[i], "aria-pressed", on ? "true" : "false"); }
  }

  function labelOf(widget) {
    var label = widget && widget.querySelector(":scope > label.widget-label");
    // a label showing the field's heading, label and help names the input by the label alone
    var own = label && label.querySelector(":scope > .wb-label");
    var text = own ? own.firstChild.textContent.trim() : (label ? label.textContent.trim() : "");
    return text && text !== "null" ? text : "";
  }

  var groups = 0;
  var helps = 0;
  function patch() {
    var i, found;
    found = all("[title='null']");
    for (i = 0; i < found.length; i++) { found[i].removeAttribute("title"); }
    found = all(".noUi-handle");
    for (i = 0; i < found.length; i++) {
      var slider = found[i].closest(".widget-slider, .jupyter-widget-slider");
      set(found[i], "aria-label", labelOf(slider) || "Value");
    }
    found = all(".widget-radio-box");
    for (i = 0; i < found.length; i++) {
      var box = found[i];
      if (!box.hasAttribute("role")) {
        box.setAttribute("role", "radiogroup");
        box.setAttribute("data-wb-group", "wb-radio-" + (++groups));
      }
      var title = labelOf(box.parentElement);
      if (title) { set(box, "aria-label", title); }
      var radios = box.querySelectorAll("input[type=radio]");
      for (var j = 0; j < radios.length; j++) {
        if (!radios[j].name) { radios[j].name = box.getAttribute("data-wb-group"); }
      }
    }
    // a field showing its label in the input's own <label> (heading and help included): the
    // input is named by the label alone and described by the help
    found = all(".wb-own-label");
    for (i = 0; i < found.length; i++) {
      var control = found[i].querySelector(
        ":scope > input, :scope > textarea, :scope > select, :scope > .widget-radio-box");
      var name = labelOf(found[i]);
      if (control && name) { set(control, "aria-label", name); }
      var help = found[i].querySelector(":scope > label.widget-label > .wb-help");
      if (control && help) {
        if (!help.id) { help.id = "wb-help-" + (++helps); }
        set(control, "aria-describedby", help.id);
      }
    }
    found = all(".wb-bar .wb-nav");
    for (i = 0; i < found.length; i++) {
      if (found[i].classList.contains("wb-current")) {
        set(found[i], "aria-current", "page");
      } else if (found[i].hasAttribute("aria-current")) {
        found[i].removeAttribute("aria-current");
      }
      var list = found[i].parentElement;
      if (list && !list.hasAttribute("role")) {
        list.setAttribute("role", "navigation");
        list.setAttribute("aria-label", "Pages");
      }
    }
    var crisis = document.querySelector(".wb-app > .wb-crisis");
    var help = document.querySelector(scope + ".wb-help-button");
    if (crisis && help) {
      if (!crisis.id) { crisis.id = "wb-crisis-panel"; }
      var open = crisis.style.display !== "none" && crisis.offsetParent !== null;
      set(help, "aria-controls", crisis.id);
      // closed with its own Close button: focus goes back to the button that opened it
      if (help.getAttribute("aria-expanded") === "true" && !open && lost(crisis)) { help.focus(); }
      set(help, "aria-expanded", String(open));
    }
    // a step form moved to another step (Next, Back, or Save back to the start): focus goes
    // to "Step n of m", so the next Tab is the step's first field, not the end of the form
    var forms = all(".wb-form");
    for (i = 0; i < forms.length; i++) {
      var step = forms[i].querySelector(".wb-progress");
      if (!step) { continue; }
      set(step, "tabindex", "-1");
      var text = step.textContent;
      if (forms[i].wbStep !== undefined && forms[i].wbStep !== text && lost(forms[i])) { step.focus(); }
      forms[i].wbStep = text;
    }
    // The kernel marks an element with a new data-wb-focus token when an action moved what
    // matters: Edit opened the form at the top, a deleted row is gone, a session's small step
    // opened another tool. Focus goes there once. The element may arrive before the page that
    // holds it is shown (a kept page is filled, then shown: two messages), so a token on a
    // hidden element waits for it to be shown, for a few seconds at most, and is then spent.
    found = all("[data-wb-focus]");
    var now = Date.now();
    for (i = 0; i < found.length; i++) {
      var token = found[i].getAttribute("data-wb-focus");
      if (focusSpent[token]) { continue; }
      if (!focusFirstSeen[token]) { focusFirstSeen[token] = now; }
      if (now - focusFirstSeen[token] > FOCUS_WAIT_MS) { focusSpent[token] = true; continue; }
      if (found[i].offsetParent !== null) {
        focusSpent[token] = true;
        found[i].focus();
      }
    }
    applyTheme();
  }
  var FOCUS_WAIT_MS = 5000;
  var focusSpent = {};
  var focusFirstSeen = {};

  // focus was on a button inside `box` (or fell to the page when that button was hidden)
  var lastFocus = null;
  document.addEventListener("focusin", function (event) { lastFocus = event.target; });
  function lost(box) {
    var now = document.activeElement;
    if (now && now !== document.body && box.contains(now)) {
      return now.tagName === "BUTTON";
    }
    return (!now || now === document.body) && !!lastFocus && box.contains(lastFocus);
  }

  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; patch(); });
  }

  applyTheme();
  if (system) {
    if (system.addEventListener) { system.addEventListener("change", applyTheme); }
    else if (system.addListener) { system.addListener(applyTheme); }
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest(scope + ".wb-theme-toggle")) {
      picked = dark() ? "light" : "dark";
      applyTheme();
    }
  });
  new MutationObserver(schedule).observe(document.body, {
    childList: true, subtree: true, attributes: true,
    attributeFilter: voila ? ["class", "style", "title"] : ["class", "style", "title", "data-jp-theme-light"]
  });
  window.wbTheme = { dark: dark, pick: function (name) { picked = name || null; applyTheme(); } };
})();
