// Session pages, a little livelier; every page works without this script (the server renders the truth at each load).
// - counts down the time left of live sessions ([data-seconds-left], as the server counted it at load);
// - after the automatic download, asks the API whether the launch file was fetched and then says so.
(function () {
  'use strict';

  function leftText(seconds) {
    if (seconds <= 0) {
      return 'ended';
    }
    var minutes = Math.floor(seconds / 60);
    if (minutes >= 60) {
      var rest = minutes % 60;
      return Math.floor(minutes / 60) + ' h ' + (rest < 10 ? '0' : '') + rest + ' min left';
    }
    return Math.max(1, minutes) + ' min left';
  }

  function countDown() {
    var loaded = Date.now();
    var clocks = Array.prototype.slice.call(document.querySelectorAll('[data-seconds-left]'));
    if (clocks.length === 0) {
      return;
    }
    window.setInterval(function () {
      var gone = Math.floor((Date.now() - loaded) / 1000);
      clocks.forEach(function (el) {
        el.textContent = leftText(parseInt(el.getAttribute('data-seconds-left'), 10) - gone);
      });
    }, 15000);
  }

  function watchDownload() {
    var launch = document.querySelector('#launch-state[data-downloaded]');
    var card = document.getElementById('session');
    if (!launch || !card || !window.fetch) {
      return;
    }
    var tries = 0;
    var timer = window.setInterval(function () {
      tries += 1;
      if (tries > 120) {
        window.clearInterval(timer);
        return;
      }
      window.fetch('/api/v1/sessions/' + encodeURIComponent(card.getAttribute('data-session')),
        { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (s && !s.vvAvailable) {
            window.clearInterval(timer);
            launch.textContent = launch.getAttribute('data-downloaded');
          }
        })
        .catch(function () { /* the next try, or the next load, tells */ });
    }, 1000);
  }

  countDown();
  watchDownload();
}());
