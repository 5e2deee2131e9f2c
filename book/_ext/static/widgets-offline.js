// Loaded on pages with widgets, before the widget manager (see book/_ext/offline_assets.py).
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
})();
