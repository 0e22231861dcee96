// The bulletin on the school's big screen: one post at a time, the next every 15 seconds
// (the page itself reloads every five minutes for new posts). No inline script (CSP).
(function () {
  "use strict";
  var posts = document.querySelectorAll("[data-screen-post]");
  var counter = document.querySelector("[data-screen-counter]");
  var shown = 0;
  function show(index) {
    posts[shown].classList.remove("is-shown");
    shown = index;
    posts[shown].classList.add("is-shown");
    if (counter) {
      counter.textContent = shown + 1 + " / " + posts.length;
    }
  }
  if (posts.length > 1) {
    show(0);
    window.setInterval(function () {
      show((shown + 1) % posts.length);
    }, 15000);
  }
  document.body.setAttribute("data-screen-ready", "");
})();
