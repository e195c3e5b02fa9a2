// Live updates without a reload: every few seconds (only while the tab is visible) ask the portal for the caller's
// pulse, a small JSON of the nav counts and a change stamp (GET /api/v1/requests/pulse, one indexed query on the
// database, so any replica answers the same). The nav counts follow it; a page with a live region (My requests,
// Approvals) fetches itself again when the stamp moves and swaps that region in, keeping what was typed in it.
// Without this script every page still works: a reload shows the same.
(function () {
  'use strict';
  var PERIOD = 5000;
  var COUNT_TITLES = { 'nav-requests': 'decided, not yet seen', 'nav-approvals': 'waiting for your decision' };
  var busy = false;
  var stopped = false;

  function region(doc) {
    return doc.getElementById('live-region');
  }

  function setCount(id, n) {
    var link = document.getElementById(id);
    if (!link) {
      return;
    }
    var span = link.querySelector('.count');
    if (n > 0) {
      if (!span) {
        link.appendChild(document.createTextNode(' '));
        span = document.createElement('span');
        span.className = 'count';
        span.title = COUNT_TITLES[id];
        link.appendChild(span);
      }
      span.textContent = '(' + n + ')';
    } else if (span) {
      if (span.previousSibling && span.previousSibling.nodeType === 3) {
        span.previousSibling.textContent = span.previousSibling.textContent.replace(/\s+$/, '');
      }
      span.remove();
    }
  }

  function copyNav(doc) {
    ['nav-requests', 'nav-approvals'].forEach(function (id) {
      var fresh = doc.getElementById(id);
      var here = document.getElementById(id);
      if (fresh && here) {
        here.innerHTML = fresh.innerHTML;
      }
    });
  }

  /** Swaps the live region for the fresh page's, keeping typed text and focus of fields that are still there. */
  function swap(doc) {
    var here = region(document);
    var fresh = region(doc);
    if (!here || !fresh) {
      return;
    }
    var typed = {};
    here.querySelectorAll('textarea[id], input[type="text"][id]').forEach(function (f) {
      typed[f.id] = f.value;
    });
    var focused = document.activeElement && here.contains(document.activeElement) ? document.activeElement.id : null;
    here.innerHTML = fresh.innerHTML;
    here.setAttribute('data-live', fresh.getAttribute('data-live'));
    Object.keys(typed).forEach(function (id) {
      var f = document.getElementById(id);
      if (f && typed[id]) {
        f.value = typed[id];
      }
    });
    if (focused && document.getElementById(focused)) {
      document.getElementById(focused).focus();
    }
    copyNav(doc);
    var status = document.getElementById('live-status');
    if (status) {
      status.textContent = 'Updated ' + new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false }) + '.';
    }
  }

  function refetch() {
    // the page's own address: after a refused form the browser shows the POST's address, which has no GET
    var src = region(document).getAttribute('data-src') || window.location.pathname;
    return fetch(src, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (r) {
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (html) {
          swap(new DOMParser().parseFromString(html, 'text/html'));
        }
      });
  }

  function poll() {
    if (busy || stopped || document.hidden) {
      return;
    }
    busy = true;
    fetch('/api/v1/requests/pulse', { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) {
        if (r.status === 401 || r.status === 403) {
          stopped = true; // logged out (or elsewhere): a reload shows the login page
          return null;
        }
        return r.ok ? r.json() : null;
      })
      .then(function (pulse) {
        if (!pulse) {
          return null;
        }
        setCount('nav-requests', pulse.unseen);
        setCount('nav-approvals', pulse.toDecide);
        var here = region(document);
        if (here && here.getAttribute('data-live') !== pulse.stamp) {
          return refetch();
        }
        return null;
      })
      .catch(function () {
        // the portal is unreachable for a moment: try again at the next tick
      })
      .then(function () {
        busy = false;
      });
  }

  function start() {
    if (!document.getElementById('nav-requests')) {
      return; // not logged in
    }
    window.setInterval(poll, PERIOD);
    document.addEventListener('visibilitychange', function () {
      if (!document.hidden) {
        poll(); // back on the tab: catch up at once
      }
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
