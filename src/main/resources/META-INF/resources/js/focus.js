// After a refused form, move the keyboard focus to the error summary (the page's first error with role="alert"), so
// a screen reader reads it and the next Tab continues from there. Without scripts the summary is still announced.
(function () {
  'use strict';
  var summary = document.querySelector('main .error[role="alert"], main .message[role="alert"]');
  if (summary && document.activeElement !== summary) {
    if (!summary.hasAttribute('tabindex')) {
      summary.setAttribute('tabindex', '-1');
    }
    summary.focus();
  }
}());
