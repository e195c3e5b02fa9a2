// Ask for access: the "Later, at" day and time can be typed only while "Later" is chosen. Disabled fields are not
// sent, so "Now" never carries a stale time; without this script the server refuses a time typed with "Now".
(function () {
  'use strict';
  function setUp() {
    var later = document.getElementById('when-later');
    var fields = document.getElementById('later-fields');
    if (!later || !fields) {
      return;
    }
    var inputs = fields.querySelectorAll('input');
    function sync() {
      for (var i = 0; i < inputs.length; i++) {
        inputs[i].disabled = !later.checked;
      }
      fields.classList.toggle('off', !later.checked);
    }
    var radios = document.querySelectorAll('input[name="when"]');
    for (var i = 0; i < radios.length; i++) {
      radios[i].addEventListener('change', function () {
        sync();
      });
    }
    sync();
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', setUp);
  } else {
    setUp();
  }
})();
