// Loaded on pages with widgets, before the widget manager (see book/_ext/offline_assets.py): serves the
// manager's fonts from the book (1), maps its MathJax 2 call onto MathJax 3 (2), disables the controls
// that need a kernel, with the reason beside them (3), and gives every control what a screen-reader or
// keyboard user needs (4).
(function () {
  "use strict";
  // 1. The widget manager's CSS asks for its web fonts next to the URL RequireJS gives its module,
  //    by default <page folder>/@jupyter-widgets/html-manager/dist/ (404). Map that module path onto
  //    the vendored copy, relative to this script (loaded after require.js, before the manager).
  var dist = new URL("html-manager/dist/", document.currentScript.src).href;
  window.__jupyter_widgets_assets_path__ = dist;
  if (window.requirejs) {
    window.requirejs.config({paths: {"@jupyter-widgets/html-manager/dist": dist.replace(/\/$/, "")}});
  }

  // 2. The widget manager typesets labels with MathJax 2's MathJax.Hub.Queue(["Typeset", hub, node]);
  //    the book runs MathJax 3, which has no Hub. Give every MathJax object a Hub that forwards
  //    "Typeset" jobs to MathJax 3's typesetPromise once MathJax has started.
  function typeset(node) {
    var mj = window.MathJax;
    if (!mj || !mj.startup || !mj.startup.promise) {
      return;                                     // no MathJax 3 on this page: nothing to typeset
    }
    mj.startup.promise.then(function () {
      return mj.typesetPromise ? mj.typesetPromise([node]) : null;
    }).catch(function (err) {
      console.warn("MathJax could not typeset a widget label:", err);
    });
  }
  var hub = {
    Queue: function () {
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        if (Array.isArray(job) && job[0] === "Typeset" && job[2]) {
          typeset(job[2]);
        }
      }
    }
  };
  function withHub(value) {
    if (value && typeof value === "object" && !value.Hub) {
      Object.defineProperty(value, "Hub", {value: hub, enumerable: false, configurable: true});
    }
    return value;
  }
  // MathJax 3 replaces window.MathJax when it loads (the configuration object becomes MathJax.config),
  // so attach the Hub to whatever object is assigned, now and later.
  var current = withHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: function () { return current; },
    set: function (value) { current = withHub(value); }
  });

  // 3. This script runs only on the book's pages, which have no kernel. A control that redraws only with a
  //    kernel (nnlite/widgets.py gives it the class LIVE) would do nothing here: show it disabled, with
  //    the reason beside it. In Jupyter (no script of this file) those controls stay enabled and work.
  var LIVE = "nnlite-live";                       // widgets.LIVE_CLASS
  var NOTE = "nnlite-kernel-note";                // widgets.KERNEL_NOTE_CLASS: the label beside each one
  var REASON = "needs a running kernel — open the notebook to use it";

  function hasClass(model, name) {
    var classes = model && model.state && model.state._dom_classes;
    return Array.isArray(classes) && classes.indexOf(name) >= 0;
  }

  // a) Before the manager reads the saved widget state (it renders on "load"), mark those controls'
  //    models disabled, so that ipywidgets draws them disabled (select, buttons, slider and its
  //    readout), and write the reason into their labels.
  function disableInState(tag) {
    if (tag.hasAttribute("data-nnlite-checked")) {
      return;
    }
    tag.setAttribute("data-nnlite-checked", "");
    var saved;
    try {
      saved = JSON.parse(tag.textContent);
    } catch (err) {
      return;                                     // the manager reports a broken state itself
    }
    var models = (saved && saved.state) || {};
    var changed = false;
    Object.keys(models).forEach(function (id) {
      var model = models[id];
      if (hasClass(model, LIVE)) {
        model.state.disabled = true;
        model.state.tooltip = REASON;
        changed = true;
      } else if (hasClass(model, NOTE)) {
        model.state.value = REASON;
        changed = true;
      }
    });
    if (changed) {
      tag.textContent = JSON.stringify(saved);
    }
  }
  function disableAllInState() {
    var tags = document.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]');
    Array.prototype.forEach.call(tags, disableInState);
  }

  // b) Once the views are on the page, add what ipywidgets leaves out: aria-disabled on every part a
  //    reader could use, the reason as a tooltip and as the accessible description, no tab stop on
  //    disabled slider handles, and a class for the look (the style below).
  var described = 0;
  function markViews() {
    var controls = document.querySelectorAll(".nnlite-widget ." + LIVE);
    Array.prototype.forEach.call(controls, function (control) {
      var note = control.parentElement && control.parentElement.querySelector("." + NOTE);
      if (note) {
        if (!note.id) {
          note.id = "nnlite-kernel-note-" + (++described);
        }
        if (note.textContent !== REASON) {
          note.textContent = REASON;
        }
        note.classList.add("nnlite-static-note");
      }
      control.classList.add("nnlite-static-disabled");
      control.setAttribute("aria-disabled", "true");
      control.title = REASON;
      var parts = control.querySelectorAll(
        "select, button, input, textarea, [contenteditable], [tabindex], .noUi-target, .noUi-handle");
      Array.prototype.forEach.call(parts, function (part) {
        if (part.matches("select, button, input, textarea")) {
          part.disabled = true;
        } else if (part.classList.contains("noUi-target")) {
          part.setAttribute("disabled", "true");   // noUiSlider ignores pointer and keys when set
        }
        if (part.isContentEditable) {
          part.contentEditable = "false";
        }
        if (part.classList.contains("noUi-handle") || part.hasAttribute("tabindex")) {
          part.setAttribute("tabindex", "-1");
        }
        part.setAttribute("aria-disabled", "true");
        part.title = REASON;
        if (note) {
          part.setAttribute("aria-describedby", note.id);
        }
      });
    });
  }

  // 4. Accessibility (WCAG 2.1 AA; tests/test_accessibility.py). ipywidgets draws a slider whose handle has
  //    no accessible name and announces its position ("5"), not its value ("0.8"); toggle buttons that do
  //    not say which one is selected; and a figure that changes silently. For every widget:
  //    - each slider handle and drop-down is named by its visible label (aria-labelledby), each slider
  //      announces its readout (aria-valuetext), and its readout is text, not a second tab stop;
  //    - a row of toggle buttons is a group named by its label, the selected button is aria-pressed;
  //    - a polite live region repeats the alt text of the figure shown, so a change is announced;
  //    - the first widget is the target of the page's skip link (book/_ext/offline_assets.py).
  var ids = 0;
  function idOf(el) {
    if (!el.id) {
      el.id = "nnlite-a11y-" + (++ids);
    }
    return el.id;
  }
  function watch(el, options, callback) {
    if (!el.__nnliteWatched) {
      el.__nnliteWatched = true;
      new MutationObserver(callback).observe(el, options);
    }
    callback();
  }
  function shownAlt(widget) {
    var frames = widget.querySelectorAll("img.nnlite-frame");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].getClientRects().length > 0) {
        return frames[i].alt;
      }
    }
    return "";
  }
  function labelSlider(root) {
    var handle = root.querySelector(".noUi-handle");
    var label = root.querySelector(".widget-label");
    var readout = root.querySelector(".widget-readout");
    if (!handle) {
      return;
    }
    if (label && label.textContent.trim()) {
      handle.setAttribute("aria-labelledby", idOf(label));
    }
    if (readout) {
      readout.setAttribute("contenteditable", "false");      // the handle is the control; this shows its value
      readout.removeAttribute("tabindex");
      readout.setAttribute("aria-hidden", "true");            // announced by the handle's aria-valuetext
      var sync = function () {
        var text = readout.textContent.trim();
        if (text && handle.getAttribute("aria-valuetext") !== text) {
          handle.setAttribute("aria-valuetext", text);
        }
        // nnlite/widgets.py sets the tooltip to "label: value", which a kernel keeps current; here the
        // page does, for the controls that move without one.
        if (text && label && !root.classList.contains(LIVE)) {
          var tip = label.textContent.trim() + ": " + text;
          [root, label].forEach(function (el) {
            if (el.title && el.title !== tip) {
              el.title = tip;
            }
          });
        }
      };
      watch(readout, {childList: true, characterData: true, subtree: true}, sync);
      watch(handle, {attributes: true, attributeFilter: ["aria-valuetext", "aria-valuenow"]}, sync);
    }
  }
  function labelButtons(root) {
    var label = root.querySelector(".widget-label");
    if (!label || !label.textContent.trim() || label.style.display === "none") {
      var previous = root.previousElementSibling;                 // nnlite/widgets.py's _row puts it there
      label = previous && previous.querySelector(".nnlite-row-label");
    }
    root.setAttribute("role", "group");
    if (label) {
      root.setAttribute("aria-labelledby", idOf(label));
    }
    var buttons = root.querySelectorAll("button");
    Array.prototype.forEach.call(buttons, function (button) {
      watch(button, {attributes: true, attributeFilter: ["class"]}, function () {
        var pressed = button.classList.contains("mod-active") ? "true" : "false";
        if (button.getAttribute("aria-pressed") !== pressed) {
          button.setAttribute("aria-pressed", pressed);
        }
      });
    });
  }
  function labelDropdown(root) {
    var select = root.querySelector("select");
    var label = root.querySelector(".widget-label");
    if (select && label && label.textContent.trim()) {
      select.setAttribute("aria-labelledby", idOf(label));
    }
  }
  var widgetsSeen = 0;
  function makeAccessible() {
    var widgets = document.querySelectorAll(".nnlite-widget");
    Array.prototype.forEach.call(widgets, function (widget) {
      if (!widget.hasAttribute("data-nnlite-a11y")) {
        widget.setAttribute("data-nnlite-a11y", String(++widgetsSeen));
        widget.id = widget.id || "nnlite-widget-" + widgetsSeen;
        widget.setAttribute("tabindex", "-1");                    // the skip link can move focus here
      }
      Array.prototype.forEach.call(widget.querySelectorAll(".widget-slider"), labelSlider);
      Array.prototype.forEach.call(widget.querySelectorAll(".widget-toggle-buttons"), labelButtons);
      Array.prototype.forEach.call(widget.querySelectorAll(".widget-dropdown"), labelDropdown);
      Array.prototype.forEach.call(widget.querySelectorAll('.widget-label[title="null"]'), function (l) {
        l.removeAttribute("title");                               // ipywidgets writes tooltip None as "null"
      });
      var live = widget.querySelector(":scope > .nnlite-live-region");
      if (!live) {
        live = document.createElement("div");
        live.className = "nnlite-live-region nnlite-sr-only";
        live.setAttribute("aria-live", "polite");
        live.setAttribute("aria-atomic", "true");
        live.textContent = shownAlt(widget);
        widget.appendChild(live);
        new MutationObserver(function () {
          var alt = shownAlt(widget);
          if (alt && live.textContent !== alt) {
            live.textContent = alt;
          }
        }).observe(widget, {attributes: true, attributeFilter: ["class", "style", "hidden"], childList: true,
                            subtree: true});         // a Stack shows another child, or draws it anew
      }
    });
  }

  var style = document.createElement("style");
  style.textContent = [
    ".nnlite-widget .nnlite-static-disabled { opacity: 0.8; }",
    // narrower disabled sliders and dropdowns leave room for the reason on one line
    ".nnlite-widget .widget-slider.nnlite-static-disabled, .nnlite-widget .widget-dropdown.nnlite-static-disabled {",
    "  max-width: 300px; }",
    ".nnlite-widget .nnlite-static-disabled, .nnlite-widget .nnlite-static-disabled * { cursor: not-allowed; }",
    // more specific than the widget manager's .widget-label rules (one line, clipped), which load later
    ".nnlite-widget .widget-label.nnlite-static-note { width: auto; min-width: 8em; height: auto; flex: 1 1 0;",
    "  overflow: visible; white-space: normal; line-height: 1.2; font-size: var(--jp-widgets-font-size, 13px);",
    "  font-style: italic; color: #5f6368; }",
    ".nnlite-widget .widget-label.nnlite-static-note::before { content: \"\\26A0\\FE0E\"; margin-right: 0.35em;",
    "  font-style: normal; }"
  ].join("\n");

  function start() {
    disableAllInState();
    document.head.appendChild(style);
    markViews();
    makeAccessible();
    new MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) {
        if (records[i].addedNodes.length) {
          markViews();
          makeAccessible();
          return;
        }
      }
    }).observe(document.body, {childList: true, subtree: true});
  }
  disableAllInState();                            // the state is usually parsed already (in <head>)
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);   // always before "load", when the manager renders
  } else {
    start();
  }
})();
